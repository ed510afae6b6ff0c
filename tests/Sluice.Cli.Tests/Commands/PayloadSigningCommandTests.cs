using System.Net;
using Sluice.Client.Tests;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// --payload-signing through the real executable: an upload in a streaming mode goes out aws-chunked (the
/// x-amz-content-sha256 value seen on the wire by a relay is the proof) and arrives byte-exact, over HTTP/1.1 to the
/// io_uring front and over h2c to the Kestrel front; an unknown mode is a usage error.
/// </summary>
public sealed class PayloadSigningCommandTests : IAsyncLifetime
{
    private const string AccessKey = "AKIDCLIPAYLOAD", Secret = "cli/payload+secret";
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sluice-cli-payload-{Guid.NewGuid():N}");
    private SluiceServer _server = null!;
    private BodyFlipRelay _relay = null!;

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
        _relay = new BodyFlipRelay(_server.LocalEndPoint, h2: false, offset: -1); // records, flips nothing
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _server.StopAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private SluiceProcess.Result Run(Uri endpoint, params string[] args) => SluiceProcess.Run(new Dictionary<string, string?>
    {
        ["AWS_ENDPOINT_URL"] = endpoint.ToString(),
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = Secret,
        ["AWS_PROFILE"] = null,
        ["AWS_CONFIG_FILE"] = Path.Combine(_root, "no-config"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_root, "no-credentials"),
    }, null, args);

    private static SluiceProcess.Result Ok(SluiceProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return r;
    }

    [Fact]
    public void Streaming_modes_upload_aws_chunked_over_http11_and_h2c()
    {
        byte[] data = new byte[21 << 20]; // above the multipart threshold: five 5 MiB parts, or one 64 MiB part
        new Random(11).NextBytes(data);
        string file = Path.Combine(_root, "up.bin");
        File.WriteAllBytes(file, data);

        Ok(Run(_relay.Endpoint, "mb", "s3://pay"));
        Ok(Run(_relay.Endpoint, "cp", "--payload-signing", "streaming-unsigned-trailer", "--part-size", "5MiB", file, "s3://pay/multi.bin"));
        Ok(Run(_relay.Endpoint, "cp", "--payload-signing", "streaming-signed", "--part-size", "64MiB", file, "s3://pay/single.bin"));
        List<string> hashes;
        lock (_relay.PayloadHashes)
        {
            hashes = [.. _relay.PayloadHashes];
        }

        Assert.Equal(5, hashes.Count(h => h == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
        Assert.Equal(1, hashes.Count(h => h == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
        Assert.DoesNotContain("UNSIGNED-PAYLOAD", hashes);

        // Signed chunks with a signed trailer over h2c to the Kestrel front.
        Ok(Run(_server.Http2Endpoint!, "cp", "--http2", "--payload-signing", "streaming-signed-trailer", file, "s3://pay/h2.bin"));
        foreach (string key in new[] { "multi.bin", "single.bin", "h2.bin" })
        {
            string back = Path.Combine(_root, key);
            Ok(Run(_server.Endpoint, "cp", $"s3://pay/{key}", back));
            Assert.Equal(data, File.ReadAllBytes(back));
        }
    }

    [Fact]
    public void An_unknown_mode_is_a_usage_error()
    {
        var r = Run(_server.Endpoint, "ls", "--payload-signing", "chunky");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
