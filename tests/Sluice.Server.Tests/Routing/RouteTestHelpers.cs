using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Routing;

namespace Sluice.Server.Tests.Routing;

internal static class RouteTestHelpers
{
    public static KnownMethod Method(string name) => name switch
    {
        "GET" => KnownMethod.Get,
        "PUT" => KnownMethod.Put,
        "POST" => KnownMethod.Post,
        "DELETE" => KnownMethod.Delete,
        "HEAD" => KnownMethod.Head,
        "OPTIONS" => KnownMethod.Options,
        "PATCH" => KnownMethod.Patch,
        "TRACE" => KnownMethod.Trace,
        _ => KnownMethod.Unknown,
    };

    /// <summary>Routes "METHOD target" (target = path[?query]) with the given Host.</summary>
    public static (S3Problem Problem, S3Route Route) Route(string method, string target, string host = "127.0.0.1:9000",
        bool copySource = false, S3RouterOptions? options = null)
    {
        var router = new S3Router(options);
        var route = new S3Route();
        int q = target.IndexOf('?', StringComparison.Ordinal);
        byte[] path = Encoding.UTF8.GetBytes(q < 0 ? target : target[..q]);
        byte[] query = q < 0 ? [] : Encoding.UTF8.GetBytes(target[(q + 1)..]);
        S3Problem problem = router.Route(Method(method), path, query, Encoding.ASCII.GetBytes(host), copySource, route);
        return (problem, route);
    }
}
