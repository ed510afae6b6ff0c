using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.Client.Retry;
using Sluice.Client.Tests.Faults;

namespace Sluice.Client.Tests.Throttle;

/// <summary>
/// The client's adaptive per-prefix rate against scripted 503 SlowDowns: a real server behind the fault proxy, which
/// answers requests under one prefix with S3's SlowDown (and x-amz-retry-after) a set number of times. The client's
/// retry clock is a manual one that the test moves to each pending wait, so every wait is recorded exactly and
/// nothing depends on the machine's speed.
/// </summary>
public class PrefixThrottlingTests
{
    private static readonly PrefixRateOptions Rates = new() { StartRate = 32, Decrease = 0.5, Increase = 0, MinRate = 1, BurstSeconds = 0, Growth = 0, MinCutInterval = TimeSpan.Zero };

    private static S3ClientOptions Options(ClientTestServer server, FaultProxy proxy, ManualTimeProvider clock,
        int attempts = 8, int budget = 500, bool honourRetryAfter = true) => server.Options(proxy.Endpoint) with
    {
        Retry = new RetryOptions
        {
            MaxAttempts = attempts,
            BaseDelay = TimeSpan.Zero,
            ThrottleBaseDelay = TimeSpan.Zero, // the backoff itself is zero: every wait recorded is the limiter's or retry-after's
            BudgetCapacity = budget,
            HonourRetryAfter = honourRetryAfter,
            TimeProvider = clock,
            PrefixRate = Rates,
        },
    };

    /// <summary>Runs <paramref name="work"/>, moving the clock to each wait it arms; returns the waits in order.</summary>
    private static async Task<List<TimeSpan>> DriveAsync(ManualTimeProvider clock, Func<Task> work)
    {
        var waits = new List<TimeSpan>();
        Task op = work();
        while (!op.IsCompleted)
        {
            Task armed = clock.TimerArmedAsync();
            await Task.WhenAny(op, armed);
            if (armed.IsCompleted && clock.AdvanceToNextTimer() is { } by)
            {
                waits.Add(by);
            }
        }

        await op;
        return waits;
    }

    private static async Task CreateBucketAsync(ClientTestServer server)
    {
        await using var direct = server.CreateClient();
        await direct.CreateBucketAsync("rate");
    }

    [Fact]
    public async Task The_throttled_prefix_slows_down_and_other_prefixes_keep_full_speed()
    {
        await using var server = await ClientTestServer.StartAsync();
        await CreateBucketAsync(server);
        var throttle = new ScriptedThrottle("/rate/hot/", times: 3);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => Fault.None, answer: throttle.Answer);
        var clock = new ManualTimeProvider();
        await using var client = new S3Client(Options(server, proxy, clock));
        byte[] payload = RandomNumberGenerator.GetBytes(2000);

        // Three SlowDowns, each a cut (every retry left after the previous cut): 32 → 16 → 8 → 4 requests/s.
        List<TimeSpan> first = await DriveAsync(clock, () => client.PutObjectAsync(new PutObjectRequest("rate", "hot/0"), payload));
        Assert.Equal(3, throttle.Answered);
        Assert.Equal(4, client.PrefixRates.RateOf("rate/hot"));
        Assert.Equal([TimeSpan.FromMilliseconds(125), TimeSpan.FromMilliseconds(250)], first); // the third and fourth attempt waited for tokens

        for (int i = 1; i <= 4; i++)
        {
            List<TimeSpan> cold = await DriveAsync(clock, () => client.PutObjectAsync(new PutObjectRequest("rate", $"cold/{i}"), payload));
            Assert.Empty(cold); // no wait at all: the hot prefix's bucket is not the cold one's
            List<TimeSpan> hot = await DriveAsync(clock, () => client.PutObjectAsync(new PutObjectRequest("rate", $"hot/{i}"), payload));
            Assert.Equal([TimeSpan.FromMilliseconds(250)], hot); // one request per 1/4 s
        }

        Assert.Null(client.PrefixRates.RateOf("rate/cold"));
        PrefixRateSnapshot snap = Assert.Single(client.Throttling.Prefixes);
        Assert.Equal(("rate/hot", 4.0, 3L, 3, 6L, true), (snap.Prefix, snap.Rate, snap.Throttles, snap.Cuts, snap.Delayed, snap.Limiting));
        ThrottlingReport report = client.Throttling;
        Assert.Equal((3L, 3L, 0L), (report.ThrottledResponses, report.ThrottledRetries, report.QuotaExhausted));
        Assert.Equal(3, throttle.Answered);

        await using var direct = server.CreateClient();
        foreach (string key in new[] { "hot/0", "hot/4", "cold/1", "cold/4" })
        {
            Assert.Equal(payload, await direct.GetObjectBytesAsync("rate", key));
        }
    }

    [Fact]
    public async Task X_amz_retry_after_sets_the_wait()
    {
        await using var server = await ClientTestServer.StartAsync();
        await CreateBucketAsync(server);
        var throttle = new ScriptedThrottle("/rate/ra/", times: 1, retryAfterMs: 750);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => Fault.None, answer: throttle.Answer);
        var clock = new ManualTimeProvider();
        await using (var client = new S3Client(Options(server, proxy, clock)))
        {
            List<TimeSpan> waits = await DriveAsync(clock, () => client.PutObjectAsync(new PutObjectRequest("rate", "ra/1"), new byte[10]));
            Assert.Equal([TimeSpan.FromMilliseconds(750)], waits); // the backoff is zero: the 750 ms are the server's
        }

        Assert.Equal(1, throttle.Answered);

        // Told to ignore it, the client retries on its own (zero) backoff.
        var ignored = new ScriptedThrottle("/rate/ra/", times: 1, retryAfterMs: 750);
        await using var proxy2 = new FaultProxy(server.LocalEndPoint, _ => Fault.None, answer: ignored.Answer);
        var clock2 = new ManualTimeProvider();
        await using (var client = new S3Client(Options(server, proxy2, clock2, honourRetryAfter: false)))
        {
            List<TimeSpan> waits = await DriveAsync(clock2, () => client.PutObjectAsync(new PutObjectRequest("rate", "ra/2"), new byte[10]));
            Assert.Empty(waits);
        }

        Assert.Equal(1, ignored.Answered);
    }

    [Fact]
    public async Task An_empty_retry_quota_ends_the_retries_with_a_typed_exception()
    {
        await using var server = await ClientTestServer.StartAsync();
        await CreateBucketAsync(server);
        var throttle = new ScriptedThrottle("/rate/q/", times: int.MaxValue);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => Fault.None, answer: throttle.Answer);
        var clock = new ManualTimeProvider();
        await using var client = new S3Client(Options(server, proxy, clock, attempts: 10, budget: 10));

        RetryQuotaExceededException? e = null;
        await DriveAsync(clock, async () =>
            e = await Assert.ThrowsAsync<RetryQuotaExceededException>(() => client.PutObjectAsync(new PutObjectRequest("rate", "q/1"), new byte[10])));

        // 10 tokens pay for two throttled retries of 5; the third answer ends it, well before 10 attempts.
        Assert.Equal(("SlowDown", 503, 3, 0, 5), (e!.Code, e.StatusCode, e.Attempts, e.TokensLeft, e.Cost));
        Assert.False(e.IsRetryable);
        Assert.Equal(3, throttle.Answered);
        ThrottlingReport report = client.Throttling;
        Assert.Equal((3L, 2L, 1L), (report.ThrottledResponses, report.ThrottledRetries, report.QuotaExhausted));
        Assert.Equal(0, client.RetryBudgetAvailable);
    }

    [Fact]
    public async Task Every_upload_succeeds_once_the_server_stops_throttling()
    {
        await using var server = await ClientTestServer.StartAsync();
        await CreateBucketAsync(server);
        var throttle = new ScriptedThrottle("/rate/p0/", times: 25);
        await using var proxy = new FaultProxy(server.LocalEndPoint, _ => Fault.None, answer: throttle.Answer);
        var clock = new ManualTimeProvider();
        await using var client = new S3Client(Options(server, proxy, clock, attempts: 40));
        var payloads = Enumerable.Range(0, 40).ToDictionary(i => $"p{i % 4}/obj-{i}", i => RandomNumberGenerator.GetBytes(1000 + i));

        using var gate = new SemaphoreSlim(8);
        await DriveAsync(clock, () => Task.WhenAll(payloads.Select(async kv =>
        {
            await gate.WaitAsync();
            try
            {
                await client.PutObjectAsync(new PutObjectRequest("rate", kv.Key), kv.Value);
            }
            finally
            {
                gate.Release();
            }
        })));

        Assert.Equal(25, throttle.Answered);
        ThrottlingReport report = client.Throttling;
        Assert.Equal((25L, 25L, 0L), (report.ThrottledResponses, report.ThrottledRetries, report.QuotaExhausted));
        Assert.Equal("rate/p0", Assert.Single(report.Prefixes).Prefix); // only the throttled prefix was slowed

        await using var direct = server.CreateClient();
        foreach (var (key, bytes) in payloads)
        {
            Assert.Equal(bytes, await direct.GetObjectBytesAsync("rate", key));
        }
    }
}
