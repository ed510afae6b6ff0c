using System.Net;
using Sluice.Client.Credentials;
using Sluice.Client.Model;
using Sluice.Client.Transfer;
using Sluice.Server;

namespace Sluice.Client.Tests.Credentials;

/// <summary>
/// S3Client with temporary credentials from a loopback container endpoint against the embedded server, which binds
/// each temporary key to its session token (a request without the right signed x-amz-security-token is refused).
/// The cache's clock is the test's: expiry is reached by moving it, never by waiting.
/// </summary>
public sealed class ClientCredentialsTests : IAsyncLifetime
{
    private const string Secret = "container/secret";
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-client-creds-").FullName;
    private readonly StringWriter _accessLog = new();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private LoopbackHttpServer _endpoint = null!;
    private SluiceServer _server = null!;
    private int _issued;

    public async Task InitializeAsync()
    {
        // Set N: AKIDCTRN / Secret / ctr-token-N, valid 15 minutes from the test clock's now.
        _endpoint = await LoopbackHttpServer.StartAsync((_, response) =>
        {
            int n = Interlocked.Increment(ref _issued);
            return LoopbackHttpServer.WriteAsync(response, 200, ContainerCredentialsProviderTests.CredentialJson(
                "AKIDCTR" + n, Secret, "ctr-token-" + n, _time.GetUtcNow().AddMinutes(15)));
        });
        _server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = Path.Combine(_dir, "data"),
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { ["AKIDCTR1"] = Secret, ["AKIDCTR2"] = Secret, ["AKIDCTR3"] = Secret },
            SessionTokens = new Dictionary<string, string> { ["AKIDCTR1"] = "ctr-token-1", ["AKIDCTR2"] = "ctr-token-2", ["AKIDCTR3"] = "ctr-token-3" },
            AccessLog = _accessLog,
            Reactors = 1,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private S3Client Client(RefreshingCredentialsProvider credentials) =>
        new(new S3ClientOptions { Endpoint = _server.Endpoint, CredentialsProvider = credentials });

    /// <summary>(principal, operation) of each access log line, once the server has stopped and flushed it.</summary>
    private async Task<List<(string Principal, string Operation)>> AccessLogAsync()
    {
        await _server.StopAsync();
        return [.. _accessLog.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#')).Select(l => l.Split(' ')).Select(f => (f[2], f[3]))];
    }

    [Fact]
    public async Task Requests_switch_to_refreshed_credentials_and_the_server_checks_their_tokens()
    {
        await using var credentials = new RefreshingCredentialsProvider(
            new ContainerCredentialsProvider(_endpoint.Url("/creds")), _time);
        await using S3Client client = Client(credentials);
        await client.CreateBucketAsync("refresh", null, default);
        await client.PutObjectAsync(new PutObjectRequest("refresh", "one"), "first"u8.ToArray(), default);

        _time.Advance(TimeSpan.FromMinutes(11)); // inside the prefetch window: this request still signs with set 1
        await client.PutObjectAsync(new PutObjectRequest("refresh", "two"), "second"u8.ToArray(), default);
        await credentials.CurrentRefresh;
        Assert.Null(credentials.LastError);
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString(await client.GetObjectBytesAsync("refresh", "one", default)));
        Assert.Equal("second", System.Text.Encoding.UTF8.GetString(await client.GetObjectBytesAsync("refresh", "two", default)));

        // A token that is not the one bound to the key is refused: the server reads what the client sends.
        await using var forged = new RefreshingCredentialsProvider(new StaticCredentialsProvider(
            new AwsCredentials("AKIDCTR2", Secret, "ctr-token-1")));
        await using S3Client wrong = Client(forged);
        var e = await Assert.ThrowsAsync<S3Exception>(() => wrong.HeadBucketAsync("refresh", default));
        Assert.Equal(400, e.StatusCode); // InvalidToken, as S3 answers (a HEAD answer has no body to name the code)

        List<(string Principal, string Operation)> log = await AccessLogAsync();
        Assert.Equal(["AKIDCTR1", "AKIDCTR1", "AKIDCTR1", "AKIDCTR2", "AKIDCTR2"], log.Take(5).Select(l => l.Principal));
        Assert.Equal(6, log.Count);
        Assert.Equal(2, _issued);
    }

    [Fact]
    public async Task A_multipart_upload_outlives_its_credentials()
    {
        await using var credentials = new RefreshingCredentialsProvider(
            new ContainerCredentialsProvider(_endpoint.Url("/creds")), _time);
        await using S3Client client = Client(credentials);
        await client.CreateBucketAsync("long", null, default);

        // The source moves the clock past set 1's expiry once 12 MiB were read: from then on every request must wait
        // for set 2, including the rest of the parts and the completion of the upload set 1 started.
        byte[] data = new byte[30 << 20];
        new Random(5).NextBytes(data);
        await using var source = new ClockMovingStream(data, 12 << 20, () => _time.Advance(TimeSpan.FromMinutes(16)));
        using var engine = new TransferEngine(client, new TransferOptions { PartSize = 5 << 20, Concurrency = 2 });
        await engine.UploadStreamAsync(source, "long", "big.bin");
        Assert.Equal(data, await engine.DownloadBytesAsync("long", "big.bin"));

        List<(string Principal, string Operation)> log = await AccessLogAsync();
        Assert.Equal(("AKIDCTR1", "CreateBucket"), log[0]);
        Assert.Equal("AKIDCTR2", log.Single(l => l.Operation == "CompleteMultipartUpload").Principal);
        Assert.Equal(6, log.Count(l => l.Operation == "UploadPart"));
        Assert.All(log, l => Assert.StartsWith("AKIDCTR", l.Principal));
        Assert.Equal(2, _issued);
    }

    /// <summary>A forward-only stream over bytes that calls <c>onPassed</c> once its position passes a mark.</summary>
    private sealed class ClockMovingStream(byte[] data, long mark, Action onPassed) : Stream
    {
        private int _position;
        private bool _moved;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            if (!_moved && _position >= mark)
            {
                _moved = true;
                onPassed();
            }

            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
