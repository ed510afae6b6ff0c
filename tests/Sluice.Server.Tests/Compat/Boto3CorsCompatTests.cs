using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Bucket CORS through Debian's python3-boto3 (Scripts/boto3_cors.py): put/get/delete_bucket_cors as botocore 1.29
/// sends them (with its Content-MD5), an unsupported method refused, and the server's answers to a browser-style
/// preflight and to a presigned GET carrying Origin.
/// </summary>
public class Boto3CorsCompatTests : IClassFixture<CompatServer>
{
    private static readonly string s_script = Path.Combine(AppContext.BaseDirectory, "Compat", "Scripts", "boto3_cors.py");
    private readonly CompatServer _s;
    private readonly Dictionary<string, string> _env;

    public Boto3CorsCompatTests(CompatServer server)
    {
        _s = server;
        _env = _s.AwsProfileEnvironment("boto");
        _env["PYTHONDONTWRITEBYTECODE"] = "1";
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Bucket_cors_round_trips_and_is_applied()
    {
        var r = (await _s.RunAsync(Clients.Python, [s_script, _s.Endpoint, "boto-cors"], _env)).Ok();
        var o = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("NoSuchCORSConfiguration", o.GetProperty("before")[0].GetString());
        Assert.Equal(404, o.GetProperty("before")[1].GetInt32());
        var rule = o.GetProperty("rules")[0];
        Assert.Equal("site", rule.GetProperty("ID").GetString());
        Assert.Equal(["GET", "PUT"], rule.GetProperty("AllowedMethods").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(120, rule.GetProperty("MaxAgeSeconds").GetInt32());
        Assert.Equal("InvalidRequest", o.GetProperty("invalid")[0].GetString());
        Assert.Equal("NoSuchCORSConfiguration", o.GetProperty("after")[0].GetString());

        var preflight = o.GetProperty("preflight");
        Assert.Equal(200, preflight[0].GetInt32());
        Assert.Equal("https://site.example", preflight[1].GetString());
        Assert.Equal("GET, PUT", preflight[2].GetString());
        Assert.Equal("content-type", preflight[3].GetString());
        Assert.Equal("120", preflight[4].GetString());
        Assert.Equal(403, o.GetProperty("refused")[0].GetInt32());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("refused")[1].ValueKind);
        var actual = o.GetProperty("actual");
        Assert.Equal(200, actual[0].GetInt32());
        Assert.Equal("https://site.example", actual[1].GetString());
        Assert.Equal("ETag", actual[2].GetString());
    }
}
