using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.Client.Retry;

namespace Sluice.Client.Tests.Faults;

/// <summary>
/// The client against a misbehaving network (a fault-injecting proxy in front of the embedded server): it either
/// returns the right bytes or throws a typed <see cref="S3Exception"/>; it never returns a short body as success.
/// </summary>
public class FaultInjectionTests
{
    private const int ObjectSize = 2 * 1024 * 1024 + 333;

    private static S3ClientOptions Fast(S3ClientOptions o, int attempts) => o with
    {
        StallTimeout = TimeSpan.FromSeconds(1),
        FirstByteTimeout = TimeSpan.FromSeconds(3),
        Retry = new RetryOptions
        {
            MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(1), ThrottleBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(20),
        },
    };

    private static async Task<byte[]> SeedAsync(ClientTestServer server)
    {
        await using var direct = server.CreateClient();
        await direct.CreateBucketAsync("faults");
        byte[] payload = RandomNumberGenerator.GetBytes(ObjectSize);
        await direct.PutObjectAsync(new PutObjectRequest("faults", "obj"), payload);
        return payload;
    }

    [Fact]
    public async Task Random_resets_errors_stalls_and_truncations_still_give_exact_bytes()
    {
        await using var server = await ClientTestServer.StartAsync();
        byte[] payload = await SeedAsync(server);
        var random = new Random(12345);
        Fault[] menu =
        [
            new(FaultKind.Respond, Status: 503, Code: "SlowDown"),
            new(FaultKind.Respond, Status: 500, Code: "InternalError"),
            new(FaultKind.Reset, AfterBytes: 0),
            new(FaultKind.Reset, AfterBytes: 100_000),
            new(FaultKind.Truncate, AfterBytes: 700_000),
            new(FaultKind.Stall, AfterBytes: 300_000),
        ];
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ =>
        {
            lock (random)
            {
                return random.NextDouble() < 0.4 ? menu[random.Next(menu.Length)] : Fault.None;
            }
        });
        // No idle reuse: every request gets a new connection, so every request meets the policy.
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 12) with { IdleTimeout = TimeSpan.Zero });

        for (int i = 0; i < 12; i++)
        {
            byte[] target = new byte[ObjectSize];
            var m = await client.GetObjectAsync(new GetObjectRequest("faults", "obj"), target);
            Assert.Equal(ObjectSize, m.ContentLength);
            Assert.True(payload.AsSpan().SequenceEqual(target), $"GET {i} into memory differs");

            var writer = new ArrayBufferWriter<byte>();
            await client.GetObjectAsync(GetObjectRequest.ForRange("faults", "obj", 1000, ObjectSize - 2), writer);
            Assert.True(payload.AsSpan(1000, ObjectSize - 1001).SequenceEqual(writer.WrittenSpan), $"ranged GET {i} differs");

            using var stream = new MemoryStream();
            await client.GetObjectAsync(new GetObjectRequest("faults", "obj"), stream);
            Assert.True(payload.AsSpan().SequenceEqual(stream.ToArray()), $"GET {i} into a stream differs");

            byte[] small = RandomNumberGenerator.GetBytes(10_000 + i);
            await client.PutObjectAsync(new PutObjectRequest("faults", $"put-{i}"), small);
            Assert.Equal(small, await client.GetObjectBytesAsync("faults", $"put-{i}"));
        }

        Assert.True(proxy.Connections > 20, $"only {proxy.Connections} connections: the faults did not bite");
    }

    [Fact]
    public async Task A_truncated_body_is_an_error_not_a_short_success()
    {
        await using var server = await ClientTestServer.StartAsync();
        await SeedAsync(server);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Truncate, AfterBytes: 500_000));
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 1));
        var memory = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(new GetObjectRequest("faults", "obj"), new byte[ObjectSize]));
        Assert.Equal(S3ClientErrorCodes.TruncatedBody, memory.Code);
        Assert.True(memory.IsRetryable);
        var stream = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(new GetObjectRequest("faults", "obj"), new MemoryStream()));
        Assert.Equal(S3ClientErrorCodes.TruncatedBody, stream.Code);
    }

    [Fact]
    public async Task A_stalled_connection_is_dropped_within_the_stall_window()
    {
        await using var server = await ClientTestServer.StartAsync();
        await SeedAsync(server);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Stall, AfterBytes: 200_000));
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 1));
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(new GetObjectRequest("faults", "obj"), new byte[ObjectSize]));
        Assert.Equal(S3ClientErrorCodes.Stalled, e.Code);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"dropped after {watch.Elapsed}, before the stall window"); // no upper bound: a loaded machine is slow

        // A stall before the first byte is the first-byte timeout.
        await using var silent = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Stall, AfterBytes: 0));
        await using var client2 = new S3Client(Fast(server.Options(silent.Endpoint), attempts: 1));
        var first = await Assert.ThrowsAsync<S3Exception>(() => client2.HeadObjectAsync("faults", "obj"));
        Assert.Equal(S3ClientErrorCodes.FirstByteTimeout, first.Code);
    }

    [Fact]
    public async Task A_read_cut_midway_resumes_from_the_next_byte()
    {
        await using var server = await ClientTestServer.StartAsync();
        byte[] payload = await SeedAsync(server);
        await using var proxy = new FaultProxy(server.LocalEndPoint, n => n == 0 ? new Fault(FaultKind.Reset, AfterBytes: 600_000) : Fault.None);
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 3));
        var writer = new ArrayBufferWriter<byte>();
        var m = await client.GetObjectAsync(new GetObjectRequest("faults", "obj"), writer);
        Assert.True(payload.AsSpan().SequenceEqual(writer.WrittenSpan));
        Assert.Equal(ObjectSize, m.ContentLength);
        Assert.Equal(2, proxy.Connections);
        string resumed = proxy.RequestHeads[^1];
        Assert.Contains("range: bytes=", resumed, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith($"-{ObjectSize - 1}", resumed);
        Assert.DoesNotContain("bytes=0-", resumed);
    }

    [Fact]
    public async Task Persistent_503_gives_up_after_the_attempts_with_a_typed_error()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Respond, Status: 503, Code: "SlowDown"));
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 4));
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(new PutObjectRequest("faults", "x"), new byte[100]));
        Assert.Equal("SlowDown", e.Code);
        Assert.Equal(503, e.StatusCode);
        Assert.True(e.IsRetryable);
        Assert.Equal(4, e.Attempts);
        Assert.Equal(4, proxy.Connections);

        var head = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("faults", "x"));
        Assert.Equal("SlowDown", head.Code); // a bodiless 503 is S3's throttle
    }

    [Fact]
    public async Task The_retry_budget_stops_retry_storms()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Respond, Status: 500, Code: "InternalError"));
        var options = Fast(server.Options(proxy.Endpoint), attempts: 10) with
        {
            Retry = new RetryOptions { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2), BudgetCapacity = 12, RetryCost = 5 },
        };
        await using var client = new S3Client(options);
        var first = await Assert.ThrowsAsync<RetryQuotaExceededException>(() => client.HeadObjectAsync("faults", "x"));
        Assert.Equal(3, first.Attempts); // 12 tokens pay for two retries of 5
        Assert.Equal(2, first.TokensLeft);
        var second = await Assert.ThrowsAsync<RetryQuotaExceededException>(() => client.HeadObjectAsync("faults", "x"));
        Assert.Equal(1, second.Attempts);
        Assert.Equal("InternalError", second.Code);
        Assert.Equal("InternalError", Assert.IsType<S3Exception>(second.InnerException).Code);
    }

    [Fact]
    public async Task A_non_idempotent_request_is_not_retried_after_the_server_may_have_acted()
    {
        await using var server = await ClientTestServer.StartAsync();
        await SeedAsync(server);
        // The request reaches the server; the answer is cut off.
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Reset, AfterBytes: 0));
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 5));
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.CreateMultipartUploadAsync(new PutObjectRequest("faults", "mp")));
        Assert.Equal(S3ClientErrorCodes.ConnectionReset, e.Code);
        Assert.Equal(1, e.Attempts);

        await using var direct = server.CreateClient();
        var uploads = new List<Sluice.S3.Xml.ListedUpload>();
        await foreach (var u in direct.ListMultipartUploadsAsync("faults"))
        {
            uploads.Add(u);
        }

        Assert.Single(uploads); // the server did act once: a blind retry would have made two

        // The same fault on an idempotent request is retried.
        var head = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("faults", "obj"));
        Assert.Equal(5, head.Attempts);
    }

    [Fact]
    public async Task CreateMultipartUpload_answered_with_a_server_error_is_retried()
    {
        await using var server = await ClientTestServer.StartAsync();
        await SeedAsync(server);
        // The first connection answers 500 InternalError (the server failed); the retry goes through.
        await using var proxy = new FaultProxy(server.LocalEndPoint, i => i == 0 ? new Fault(FaultKind.Respond, Status: 500, Code: "InternalError") : Fault.None);
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 5));
        string uploadId = await client.CreateMultipartUploadAsync(new PutObjectRequest("faults", "mp"));
        Assert.False(string.IsNullOrEmpty(uploadId));
        Assert.True(proxy.Connections >= 2);

        await using var direct = server.CreateClient();
        var uploads = new List<Sluice.S3.Xml.ListedUpload>();
        await foreach (var u in direct.ListMultipartUploadsAsync("faults"))
        {
            uploads.Add(u);
        }

        Assert.Equal(uploadId, Assert.Single(uploads).UploadId);
    }

    [Fact]
    public async Task A_body_corrupted_in_transit_fails_the_checksum_check()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using (var direct = server.CreateClient())
        {
            await direct.CreateBucketAsync("faults");
            await direct.PutObjectAsync(new PutObjectRequest("faults", "summed") { ChecksumAlgorithm = Sluice.S3.Checksums.ChecksumAlgorithm.Crc32C },
                RandomNumberGenerator.GetBytes(100_000));
            byte[] ok = new byte[100_000];
            var m = await direct.GetObjectAsync(new GetObjectRequest("faults", "summed") { ChecksumMode = true }, ok);
            Assert.NotNull(m.Checksums.ChecksumCrc32C);
        }

        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Corrupt, AfterBytes: 50_000));
        await using var client = new S3Client(Fast(server.Options(proxy.Endpoint), attempts: 1));
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(
            new GetObjectRequest("faults", "summed") { ChecksumMode = true }, new byte[100_000]));
        Assert.Equal(S3ClientErrorCodes.ChecksumMismatch, e.Code);
    }

    [Fact]
    public async Task Wrong_credentials_are_typed_errors()
    {
        await using var server = await ClientTestServer.StartAsync();
        await SeedAsync(server);
        await using var badSecret = new S3Client(server.Options() with { SecretAccessKey = "wrong" });
        var sig = await Assert.ThrowsAsync<S3Exception>(() => badSecret.GetObjectBytesAsync("faults", "obj"));
        Assert.Equal("SignatureDoesNotMatch", sig.Code);
        Assert.Equal(403, sig.StatusCode);
        Assert.False(sig.IsRetryable);
        Assert.Equal(1, sig.Attempts);
        await using var badKey = new S3Client(server.Options() with { AccessKeyId = "AKIDUNKNOWN" });
        var key = await Assert.ThrowsAsync<S3Exception>(() => badKey.ListBucketsAsync());
        Assert.Equal("InvalidAccessKeyId", key.Code);
        var head = await Assert.ThrowsAsync<S3Exception>(() => badKey.HeadObjectAsync("faults", "obj"));
        Assert.Equal(403, head.StatusCode);
    }

    [Fact]
    public async Task Connection_refused_is_a_typed_retryable_error_and_cancellation_is_honoured()
    {
        await using var server = await ClientTestServer.StartAsync();
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var client = new S3Client(Fast(server.Options(new Uri($"http://127.0.0.1:{port}")), attempts: 2));
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.ListBucketsAsync());
        Assert.Equal(S3ClientErrorCodes.ConnectFailed, e.Code);
        Assert.Equal(2, e.Attempts);

        await SeedAsync(server);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => new Fault(FaultKind.Stall, AfterBytes: 0));
        await using var stalled = new S3Client(server.Options(proxy.Endpoint));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled.HeadObjectAsync(new GetObjectRequest("faults", "obj"), cts.Token));
    }
}
