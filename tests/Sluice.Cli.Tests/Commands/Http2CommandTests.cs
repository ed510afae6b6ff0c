using System.Net;
using Sluice.Client.Tests;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// --http2 / --http1 through the real executable against the embedded server's Kestrel front (h2c by prior
/// knowledge), reached through a relay that records how each connection opens: the HTTP/2 preface on the wire is the
/// proof, not the command's own word.
/// </summary>
public sealed class Http2CommandTests : IAsyncLifetime
{
    private const string AccessKey = "AKIDCLIHTTP2", Secret = "cli/http2+secret";
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sluice-cli-h2-{Guid.NewGuid():N}");
    private SluiceServer _server = null!;
    private PrefaceSniffingRelay _relay = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = Path.Combine(_root, "data"),
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            ListenHttp2 = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 1,
        });
        _relay = new PrefaceSniffingRelay(new IPEndPoint(IPAddress.Loopback, _server.Http2Endpoint!.Port));
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _server.StopAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string?> Environment(Uri endpoint) => new()
    {
        ["AWS_ENDPOINT_URL"] = endpoint.ToString(),
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = Secret,
        ["AWS_PROFILE"] = null,
        ["AWS_CONFIG_FILE"] = Path.Combine(_root, "no-config"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_root, "no-credentials"),
    };

    private SluiceProcess.Result Run(Uri endpoint, params string[] args) => SluiceProcess.Run(Environment(endpoint), null, args);

    private static SluiceProcess.Result Ok(SluiceProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private int Openings(Func<string, bool> match)
    {
        lock (_relay.Openings)
        {
            return _relay.Openings.Count(match);
        }
    }

    [Fact]
    public void Http2_flag_carries_uploads_downloads_and_listings_over_h2c()
    {
        Uri endpoint = _relay.Endpoint;
        byte[] data = new byte[21 << 20]; // above the single-PUT threshold: multipart, parts in parallel
        new Random(7).NextBytes(data);
        string file = Path.Combine(_root, "up.bin");
        File.WriteAllBytes(file, data);

        Ok(Run(endpoint, "mb", "--http2", "s3://over-h2"));
        Ok(Run(endpoint, "cp", "--http2", "--part-size", "5MiB", file, "s3://over-h2/dir/up.bin"));
        string back = Path.Combine(_root, "down.bin");
        Ok(Run(endpoint, "cp", "--http2", "s3://over-h2/dir/up.bin", back));
        Assert.Equal(data, File.ReadAllBytes(back));
        Assert.Contains("dir/up.bin", Ok(Run(endpoint, "ls", "--http2", "--recursive", "s3://over-h2")).StdOut);

        // Every connection the four commands opened started with the HTTP/2 preface; none spoke HTTP/1.1.
        Assert.True(Openings(o => o == PrefaceSniffingRelay.Http2Preface) >= 4);
        Assert.Equal(0, Openings(o => o != PrefaceSniffingRelay.Http2Preface));

        // --http1 (and the default) over the same relay: HTTP/1.1 request lines, no preface.
        Assert.Contains("dir/up.bin", Ok(Run(endpoint, "ls", "--http1", "--recursive", "s3://over-h2")).StdOut);
        Assert.Contains("dir/up.bin", Ok(Run(endpoint, "ls", "--recursive", "s3://over-h2")).StdOut);
        Assert.Equal(2, Openings(o => o.StartsWith("GET /over-h2", StringComparison.Ordinal)));
    }

    [Fact]
    public void Http2_against_an_http11_only_server_fails_and_the_flags_exclude_each_other()
    {
        // The io_uring listener speaks HTTP/1.1 only: --http2 must fail there, never quietly use HTTP/1.1.
        var r = Run(_server.Endpoint, "ls", "--http2");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("sluice: Http2Refused: ", r.StdErr, StringComparison.Ordinal);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Ok(Run(_server.Endpoint, "ls", "--http1"));

        var both = Run(_relay.Endpoint, "ls", "--http1", "--http2");
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("sluice: --http1 and --http2 exclude each other", both.StdErr.Trim());
    }

    [Fact]
    public void Bench_http2_measures_the_embedded_server_through_its_h2c_listener()
    {
        string json = Path.Combine(_root, "bench.json");
        var run = SluiceProcess.Run("bench", "--http2", "-n", "20", "-d", "60s", "-s", "4KiB", "-w", "put", "-w", "get",
            "--objects", "20", "-c", "4", "--quiet", "--json", json);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var report = Sluice.Cli.Bench.BenchReport.Load(json);
        Assert.All(report.Results, r => Assert.Equal(20, r.Operations));
        Assert.All(report.Results, r => Assert.Empty(r.Errors));
    }
}
