using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's awscli and boto3 against the TLS front (https endpoint, a certificate from a CA made for the test, the
/// CA given to the clients as a PEM file): put, get byte-exact (a small object and a multipart one, whose GET copies
/// several file regions through TLS), list, and a refusal when the clients are not given the CA.
/// </summary>
public sealed class TlsCompatTests : IClassFixture<TlsCompatServer>
{
    /// <summary>Over awscli's and s3transfer's 8 MiB multipart threshold: three parts.</summary>
    private const int LargeSize = 20 * 1024 * 1024 + 4321;

    private static readonly string s_script = Path.Combine(AppContext.BaseDirectory, "Compat", "Scripts", "boto3_tls.py");
    private readonly TlsCompatServer _s;

    public TlsCompatTests(TlsCompatServer server) => _s = server;

    [ClientFact(S3Client.AwsCli)]
    public async Task Awscli_puts_gets_and_lists_over_tls_trusting_the_test_ca()
    {
        Assert.StartsWith("https://", _s.Endpoint);
        var env = _s.AwsProfileEnvironment("aws-tls", "output = json\n");
        env["AWS_PAGER"] = "";
        Task<ProcessResult> Aws(params string[] args) => _s.RunAsync(Clients.Aws, ["--endpoint-url", _s.Endpoint, .. args], env);

        (await Aws("--ca-bundle", _s.CaBundle, "s3", "mb", "s3://cli-tls")).Ok();
        var (small, smallData) = _s.RandomFile(1234, "small");
        var (large, largeData) = _s.RandomFile(LargeSize, "large");
        (await Aws("--ca-bundle", _s.CaBundle, "s3", "cp", "--only-show-errors", small, "s3://cli-tls/small.bin")).Ok();
        (await Aws("--ca-bundle", _s.CaBundle, "s3", "cp", "--only-show-errors", large, "s3://cli-tls/large.bin")).Ok();

        // The bundle by environment this time (AWS_CA_BUNDLE), as profiles usually give it.
        env["AWS_CA_BUNDLE"] = _s.CaBundle;
        string down = _s.NewPath("down");
        (await Aws("s3", "cp", "--only-show-errors", "--recursive", "s3://cli-tls/", down)).Ok();
        CompatServer.AssertFileEquals(smallData, Path.Combine(down, "small.bin"));
        CompatServer.AssertFileEquals(largeData, Path.Combine(down, "large.bin"));
        Directory.Delete(down, recursive: true);

        var list = JsonDocument.Parse((await Aws("s3api", "list-objects-v2", "--bucket", "cli-tls")).Ok().Stdout).RootElement;
        Assert.Equal(["large.bin", "small.bin"], list.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()));
        int parts = (LargeSize + 8 * 1024 * 1024 - 1) / (8 * 1024 * 1024);
        Assert.EndsWith($"-{parts}\"", list.GetProperty("Contents")[0].GetProperty("ETag").GetString());

        env.Remove("AWS_CA_BUNDLE");
        (await Aws("s3", "ls", "s3://cli-tls/")).Failed("SSL validation failed");
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Boto3_puts_gets_and_lists_over_tls_verifying_with_the_test_ca()
    {
        var env = _s.AwsProfileEnvironment("boto-tls");
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        var (small, _) = _s.RandomFile(4321, "small");
        var (large, largeData) = _s.RandomFile(LargeSize, "large");
        string outDir = _s.NewPath("out");
        Directory.CreateDirectory(outDir);
        var r = JsonDocument.Parse((await _s.RunAsync(Clients.Python, [s_script, _s.Endpoint, _s.CaBundle, small, large, outDir], env))
            .Ok().Stdout).RootElement;
        CompatServer.AssertFileEquals(largeData, Path.Combine(outDir, "large.out"));
        Assert.Equal(["large", "small", "trailer"], r.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        int parts = (LargeSize + 8 * 1024 * 1024 - 1) / (8 * 1024 * 1024);
        Assert.EndsWith($"-{parts}\"", r.GetProperty("etag").GetString());
        Assert.False(string.IsNullOrEmpty(r.GetProperty("crc32").GetString()));
        Assert.StartsWith("refused: ", r.GetProperty("untrusted").GetString());
    }
}
