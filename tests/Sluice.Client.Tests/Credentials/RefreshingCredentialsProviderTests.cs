using Sluice.Client.Credentials;

namespace Sluice.Client.Tests.Credentials;

/// <summary>The cache in front of every provider: when it fetches, what it keeps, what it refuses (clock injected).</summary>
public sealed class RefreshingCredentialsProviderTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Hands out numbered sets expiring <see cref="Lifetime"/> after "now"; fails while <see cref="Fail"/> is set.</summary>
    private sealed class CountingProvider(ManualTimeProvider time) : IAwsCredentialsProvider
    {
        public int Calls;
        public bool Fail;
        public TimeSpan? Lifetime = TimeSpan.FromMinutes(15);
        public TaskCompletionSource? Gate;

        public string Name => "counting";

        public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref Calls);
            if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
            if (Fail) throw new AwsCredentialsException($"counting: failure {n}");
            return new AwsCredentials("AKID" + n, "secret" + n, "token" + n, time.GetUtcNow() + Lifetime, "counting");
        }
    }

    [Fact]
    public async Task Long_term_keys_are_fetched_once()
    {
        var time = new ManualTimeProvider(Start);
        var inner = new CountingProvider(time) { Lifetime = null };
        await using var cache = new RefreshingCredentialsProvider(inner, time);
        AwsCredentials first = await cache.GetCredentialsAsync(default);
        time.Advance(TimeSpan.FromDays(400));
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Expiring_credentials_are_refreshed_in_the_background_before_expiry()
    {
        var time = new ManualTimeProvider(Start);
        var inner = new CountingProvider(time);
        await using var cache = new RefreshingCredentialsProvider(inner, time);
        AwsCredentials first = await cache.GetCredentialsAsync(default);
        Assert.Equal("AKID1", first.AccessKeyId);

        time.Advance(TimeSpan.FromMinutes(9)); // 6 minutes left: outside the 5-minute prefetch window
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        Assert.Equal(1, inner.Calls);

        time.Advance(TimeSpan.FromMinutes(2)); // 4 minutes left: a background fetch starts, this request keeps the old set
        inner.Gate = new TaskCompletionSource();
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        Assert.Same(first, await cache.GetCredentialsAsync(default)); // one fetch in flight, not one per request
        inner.Gate.SetResult();
        await cache.CurrentRefresh;
        Assert.Equal(2, inner.Calls);
        AwsCredentials second = await cache.GetCredentialsAsync(default);
        Assert.Equal(("AKID2", "token2"), (second.AccessKeyId, second.SessionToken));
        Assert.Equal(2, cache.Fetches);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_credentials_that_are_still_valid_and_expired_ones_are_refused()
    {
        var time = new ManualTimeProvider(Start);
        var inner = new CountingProvider(time);
        await using var cache = new RefreshingCredentialsProvider(inner, time);
        AwsCredentials first = await cache.GetCredentialsAsync(default);
        inner.Fail = true;

        time.Advance(TimeSpan.FromMinutes(11)); // prefetch window: background fetch fails, old set kept
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        await cache.CurrentRefresh;
        Assert.Equal("counting: failure 2", cache.LastError?.Message);
        Assert.Same(first, await cache.GetCredentialsAsync(default)); // no new attempt within RetryAfterFailure
        Assert.Equal(2, inner.Calls);

        time.Advance(TimeSpan.FromMinutes(3.5)); // 30 s left, stale: the request waits for a fetch, which fails: old set
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        Assert.Equal(3, inner.Calls);

        time.Advance(TimeSpan.FromMinutes(1)); // expired: the failure surfaces, naming the source
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await cache.GetCredentialsAsync(default));
        Assert.Equal("counting: failure 4", e.Message);

        inner.Fail = false; // the source recovers: the next request gets a fresh set
        Assert.Equal("AKID5", (await cache.GetCredentialsAsync(default)).AccessKeyId);
        Assert.Null(cache.LastError);
    }

    [Fact]
    public async Task Short_lived_credentials_are_not_fetched_on_every_request()
    {
        var time = new ManualTimeProvider(Start);
        var inner = new CountingProvider(time) { Lifetime = TimeSpan.FromMinutes(2) }; // shorter than both windows
        await using var cache = new RefreshingCredentialsProvider(inner, time);
        AwsCredentials first = await cache.GetCredentialsAsync(default);
        time.Advance(TimeSpan.FromSeconds(59)); // under half the lifetime: no fetch
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        Assert.Equal(1, inner.Calls);
        time.Advance(TimeSpan.FromSeconds(2)); // past half: background
        Assert.Same(first, await cache.GetCredentialsAsync(default));
        await cache.CurrentRefresh;
        Assert.Equal("AKID2", (await cache.GetCredentialsAsync(default)).AccessKeyId);
    }

    [Fact]
    public async Task Concurrent_first_requests_share_one_fetch_and_expired_answers_are_errors()
    {
        var time = new ManualTimeProvider(Start);
        var inner = new CountingProvider(time) { Gate = new TaskCompletionSource() };
        await using var cache = new RefreshingCredentialsProvider(inner, time);
        Task<AwsCredentials>[] waiting = [.. Enumerable.Range(0, 16).Select(_ => cache.GetCredentialsAsync(default).AsTask())];
        inner.Gate.SetResult();
        AwsCredentials[] all = await Task.WhenAll(waiting);
        Assert.All(all, c => Assert.Same(all[0], c));
        Assert.Equal(1, inner.Calls);

        var stale = new CountingProvider(time) { Lifetime = TimeSpan.FromSeconds(-1) };
        await using var refusing = new RefreshingCredentialsProvider(stale, time);
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await refusing.GetCredentialsAsync(default));
        Assert.StartsWith("counting: the credentials returned expired at ", e.Message);
    }
}
