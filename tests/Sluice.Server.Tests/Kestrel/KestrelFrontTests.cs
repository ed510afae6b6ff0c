using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.S3.Auth;
using Sluice.Server.Http;
using Sluice.Server.Kestrel;
using Sluice.Server.Tests.Compat;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Kestrel;

/// <summary>
/// The Kestrel front with the clients it exists for: Debian's curl over h2c by prior knowledge, awscli and boto3 over
/// TLS trusting the test CA, and HttpClient over both HTTP versions (ALPN picks). The handler semantics through
/// Kestrel are the handler tests' (Fronts.All); these check the protocols and what only HTTP/2 allows.
/// </summary>
public sealed class KestrelFrontTests : IClassFixture<CompatServer>, IAsyncLifetime
{
    private const int LargeSize = (9 << 20) + 4321;
    private const int PartSize = 5 << 20;
    private readonly CompatServer _s;
    private KestrelFront? _tls;

    public KestrelFrontTests(CompatServer server) => _s = server;

    public async Task InitializeAsync() =>
        _tls = await KestrelFront.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), _s.Server.Handler, TestCa.Server, new HttpServerOptions());

    public async Task DisposeAsync()
    {
        if (_tls != null) await _tls.StopAsync(TimeSpan.FromSeconds(10));
    }

    private string TlsEndpoint => _tls!.Endpoint.ToString().TrimEnd('/');

    [ClientFact(S3Client.Curl)]
    public async Task Curl_gets_a_large_and_a_multipart_object_over_h2c_prior_knowledge_byte_exact()
    {
        await using var t = await TestServer.StartAsync(Fronts.KestrelH2c);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/h2c")).Status);
        var large = RandomNumberGenerator.GetBytes(LargeSize);
        Assert.Equal(200, (await c.PutObjectAsync("h2c", "large", large)).Status);
        var parts = new[] { RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(12345) };
        await MultipartAsync(c, "/h2c/multi", parts);

        await CurlGetAsync(t, "/h2c/large", large);
        await CurlGetAsync(t, "/h2c/multi", [.. parts.SelectMany(p => p)]);
    }

    private async Task CurlGetAsync(TestServer t, string path, byte[] expected)
    {
        var endpoint = t.Endpoint;
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        string query = new SigV4Signer(TestServer.AccessKey, TestServer.Secret, S3TestClient.Region)
            .Presign(headers, "GET", path, null, DateTimeOffset.UtcNow, 300);
        string output = _s.NewPath("curl");
        var r = (await _s.RunAsync(Clients.Curl, ["--http2-prior-knowledge", "-sS", "-o", output, "-w", "%{http_version} %{http_code}",
            $"http://{endpoint.Host}:{endpoint.Port}{path}?{query}"])).Ok();
        Assert.Equal("2 200", r.Stdout.Trim());
        CompatServer.AssertFileEquals(expected, output);
    }

    private static async Task MultipartAsync(S3TestClient c, string path, byte[][] parts)
    {
        var create = await c.SendAsync("POST", path, "uploads");
        Assert.Equal(200, create.Status);
        string id = Uri.EscapeDataString(Regex.Match(create.Text, "<UploadId>([^<]*)</UploadId>").Groups[1].Value);
        var complete = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < parts.Length; i++)
        {
            var part = await c.SendAsync("PUT", path, $"partNumber={i + 1}&uploadId={id}", parts[i]);
            Assert.Equal(200, part.Status);
            complete.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Header("ETag")}</ETag></Part>");
        }
        complete.Append("</CompleteMultipartUpload>");
        var done = await c.SendAsync("POST", path, $"uploadId={id}", Encoding.UTF8.GetBytes(complete.ToString()));
        Assert.Equal(200, done.Status);
        Assert.EndsWith($"-{parts.Length}\"", Regex.Match(done.Text, "<ETag>([^<]*)</ETag>").Groups[1].Value.Replace("&quot;", "\""));
    }

    [Fact]
    public async Task An_h2c_put_without_content_length_is_stored_whole()
    {
        await using var t = await TestServer.StartAsync(Fronts.KestrelH2c);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/nolen")).Status);
        var body = RandomNumberGenerator.GetBytes(3 << 20);
        var endpoint = t.Endpoint;
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        new SigV4Signer(TestServer.AccessKey, TestServer.Secret, S3TestClient.Region)
            .SignHeaders(headers, "PUT", "/nolen/obj", null, "UNSIGNED-PAYLOAD", DateTimeOffset.UtcNow);
        using var http = t.NewHttpClient(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(endpoint, "/nolen/obj"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new UnknownLengthContent(body), // HTTP/2 DATA frames and no content-length
        };
        for (int i = 0; i < headers.Count; i++)
        {
            if (headers.GetNameString(i).Equals("host", StringComparison.OrdinalIgnoreCase)) continue;
            request.Headers.TryAddWithoutValidation(headers.GetNameString(i), headers.GetValueString(i));
        }
        using (var put = await http.SendAsync(request))
        {
            Assert.Null(request.Content.Headers.ContentLength);
            Assert.Equal(200, (int)put.StatusCode);
        }
        var get = await t.Client.GetObjectAsync("nolen", "obj");
        Assert.Equal(200, get.Status);
        Assert.True(body.AsSpan().SequenceEqual(get.Body), "the stored body differs from the one sent");
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Tls_serves_http11_and_h2_as_alpn_negotiates(string version)
    {
        using var c = new S3TestClient(_tls!.Endpoint, CompatServer.AccessKey, CompatServer.Secret,
            new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = TestCa.Validate } }, Version.Parse(version));
        string bucket = "alpn-" + version.Replace('.', '-');
        Assert.Equal(200, (await c.SendAsync("PUT", "/" + bucket)).Status); // S3TestClient checks the response's version
        var body = RandomNumberGenerator.GetBytes(100_000);
        Assert.Equal(200, (await c.PutObjectAsync(bucket, "k", body)).Status);
        var get = await c.GetObjectAsync(bucket, "k");
        Assert.True(body.AsSpan().SequenceEqual(get.Body));
        Assert.Equal("Sluice", get.Header("Server"));
        Assert.Matches("^[0-9A-F]{16}$", get.Header("x-amz-request-id"));
    }

    [Fact]
    public async Task Tls_refuses_a_client_that_does_not_trust_the_test_ca()
    {
        using var http = new HttpClient(new SocketsHttpHandler());
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(_tls!.Endpoint));
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Awscli_puts_gets_and_lists_over_tls_with_the_test_ca()
    {
        var env = _s.AwsProfileEnvironment("aws-tls", "output = json\n");
        env["AWS_CA_BUNDLE"] = TestCa.CaFile;
        env["AWS_PAGER"] = "";
        Task<ProcessResult> Aws(params string[] args) => _s.RunAsync(Clients.Aws, ["--endpoint-url", TlsEndpoint, .. args], env);
        (await Aws("s3", "mb", "s3://aws-tls")).Ok();
        var (small, smallData) = _s.RandomFile(54_321, "small");
        var (large, largeData) = _s.RandomFile(LargeSize, "large"); // over awscli's 8 MiB multipart threshold
        (await Aws("s3", "cp", small, "s3://aws-tls/dir/small")).Ok();
        (await Aws("s3", "cp", large, "s3://aws-tls/large")).Ok();
        string smallOut = _s.NewPath("small-out"), largeOut = _s.NewPath("large-out");
        (await Aws("s3", "cp", "s3://aws-tls/dir/small", smallOut)).Ok();
        (await Aws("s3", "cp", "s3://aws-tls/large", largeOut)).Ok();
        CompatServer.AssertFileEquals(smallData, smallOut);
        CompatServer.AssertFileEquals(largeData, largeOut);
        var list = (await Aws("s3api", "list-objects-v2", "--bucket", "aws-tls")).Ok();
        var keys = System.Text.Json.JsonDocument.Parse(list.Stdout).RootElement.GetProperty("Contents").EnumerateArray()
            .Select(o => (o.GetProperty("Key").GetString(), o.GetProperty("Size").GetInt64())).ToList();
        Assert.Equal([("dir/small", 54_321L), ("large", LargeSize)], keys);
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Boto3_puts_gets_and_lists_over_tls_with_the_test_ca()
    {
        var env = _s.AwsProfileEnvironment("boto-tls");
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        var (path, data) = _s.RandomFile(LargeSize, "boto");
        string output = _s.NewPath("boto-out");
        const string Script = """
            import json, sys
            import boto3
            from botocore.config import Config
            endpoint, ca, path, output = sys.argv[1:5]
            s3 = boto3.session.Session().client("s3", endpoint_url=endpoint, verify=ca,
                config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
            s3.create_bucket(Bucket="boto-tls")
            with open(path, "rb") as f:
                body = f.read()
            s3.put_object(Bucket="boto-tls", Key="put", Body=body)
            s3.upload_file(path, "boto-tls", "transfer")  # s3transfer: multipart over 8 MiB
            got = s3.get_object(Bucket="boto-tls", Key="put")["Body"].read()
            s3.download_file("boto-tls", "transfer", output)
            keys = [(o["Key"], o["Size"]) for o in s3.list_objects_v2(Bucket="boto-tls")["Contents"]]
            print(json.dumps({"same": got == body, "keys": keys}))
            """;
        var r = (await _s.RunAsync(Clients.Python, ["-c", Script, TlsEndpoint, TestCa.CaFile, path, output], env)).Ok();
        var result = System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement;
        Assert.True(result.GetProperty("same").GetBoolean(), "get_object returned other bytes than put_object sent");
        CompatServer.AssertFileEquals(data, output);
        Assert.Equal(["put", "transfer"], result.GetProperty("keys").EnumerateArray().Select(k => k[0].GetString()));
        Assert.All(result.GetProperty("keys").EnumerateArray(), k => Assert.Equal(LargeSize, k[1].GetInt64()));
    }

    /// <summary>A body whose length HttpClient cannot know, so HTTP/2 sends it without content-length.</summary>
    private sealed class UnknownLengthContent(byte[] data) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
