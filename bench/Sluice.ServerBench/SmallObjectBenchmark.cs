namespace Sluice.ServerBench;

/// <summary>
/// Small objects at N connections with the in-process load generator: signed GET and PUT (UNSIGNED-PAYLOAD, each
/// connection overwriting its own key) against each sluice engine, and unsigned GET of the same file from nginx.
/// </summary>
internal static class SmallObjectBenchmark
{
    public const string Section = "small";

    public static void Run(Session session, Results results)
    {
        var o = session.Options;
        foreach (int size in o.SmallSizes)
        {
            string name = Session.SmallName(size);
            byte[] body = new byte[size];
            Random.Shared.NextBytes(body);
            // Warm-up: one short round per server so connections, JIT and page cache are settled.
            var warm = TimeSpan.FromSeconds(Math.Min(1, o.Duration.TotalSeconds));
            foreach (var server in session.Sluice.Values) Get(server, name, sign: true, o.Connections, warm);
            Get(session.Nginx!, name, sign: false, o.Connections, warm);
            for (int run = 0; run < o.Runs; run++)
            {
                foreach (var server in session.Sluice.Values)
                    results.Add(Section, $"GET {size >> 10} KiB", server.Name,
                        Measurement.Take(server, () => Get(server, name, sign: true, o.Connections, o.Duration)));
                results.Add(Section, $"GET {size >> 10} KiB", "nginx",
                    Measurement.Take(session.Nginx, () => Get(session.Nginx!, name, sign: false, o.Connections, o.Duration)));
                foreach (var server in session.Sluice.Values)
                {
                    var requests = new S3Requests(server.Port, sign: true);
                    results.Add(Section, $"PUT {size >> 10} KiB", server.Name, Measurement.Take(server, () => LoadGenerator.Run(server.EndPoint,
                        c => requests.Build("PUT", $"/{Session.Bucket}/put-{size >> 10}k-{c}", contentLength: size, body: body),
                        o.Connections, o.Duration)));
                }
            }
        }
    }

    private static (long, long, long) Get(ServerProcess server, string name, bool sign, int connections, TimeSpan duration)
    {
        var requests = new S3Requests(server.Port, sign);
        string path = sign ? $"/{Session.Bucket}/{name}" : $"/{name}";
        return LoadGenerator.Run(server.EndPoint, _ => requests.Build("GET", path), connections, duration);
    }
}
