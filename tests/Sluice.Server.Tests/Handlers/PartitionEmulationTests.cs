using System.Text;
using System.Text.Json;
using Sluice.Server.Index;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// The S3 limits emulation and the partition policy over real HTTP. Time is a manual clock the test moves (budgets
/// refill and rates decay by it), and the policy runs only when the test asks: nothing depends on machine speed.
/// </summary>
public class PartitionEmulationTests
{
    /// <summary>A budget small enough to count: 5 reads and 3 writes per second per partition.</summary>
    private static readonly S3LimitsProfile Tiny = new("tiny", 5, 3);

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000; // not zero: a timestamp of 0 means "never" to the policy

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private static PartitionPolicySettings Manual(ManualClock clock, double splitDelaySeconds = 3, double mergeAfterSeconds = 600) => new()
    {
        Clock = clock,
        Interval = Timeout.InfiniteTimeSpan,
        HeatSplitDelay = TimeSpan.FromSeconds(splitDelaySeconds),
        MergeColdAfter = TimeSpan.FromSeconds(mergeAfterSeconds),
    };

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_partition_over_its_budget_answers_503_SlowDown_with_x_amz_retry_after(string front)
    {
        var clock = new ManualClock();
        await using var t = await TestServer.StartAsync(front, limits: Tiny, partitions: Manual(clock));
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/budget")).Status);
        // The clock stands still: the partition's one-second burst is all it admits.
        for (int i = 0; i < 3; i++) Assert.Equal(200, (await c.PutObjectAsync("budget", $"k{i}", [1, 2, 3])).Status);
        var refused = await c.PutObjectAsync("budget", "k3", [1, 2, 3]);
        Assert.Equal(503, refused.Status);
        Assert.Equal("SlowDown", refused.ErrorCode);
        Assert.Contains("<Message>Please reduce your request rate.</Message>", refused.Text, StringComparison.Ordinal);
        Assert.Contains("<Resource>/budget/k3</Resource>", refused.Text, StringComparison.Ordinal);
        Assert.Equal("334", refused.Header("x-amz-retry-after")); // one write token at 3/s: 1/3 s, rounded up
        Assert.Equal(404, (await c.GetObjectAsync("budget", "k3")).Status); // the refused write changed nothing

        // Reads have their own budget (the GET above took one of five).
        for (int i = 0; i < 4; i++) Assert.Equal(200, (await c.GetObjectAsync("budget", "k0")).Status);
        var slowRead = await c.GetObjectAsync("budget", "k0");
        Assert.Equal(503, slowRead.Status);
        Assert.Equal("SlowDown", slowRead.ErrorCode);
        Assert.Equal("200", slowRead.Header("x-amz-retry-after"));
        var slowHead = await c.SendAsync("HEAD", "/budget/k0");
        Assert.Equal(503, slowHead.Status);
        Assert.Equal("200", slowHead.Header("x-amz-retry-after"));

        // Bucket operations are not a partition's: listing still answers.
        Assert.Equal(200, (await c.SendAsync("GET", "/budget", "list-type=2")).Status);

        // A second later the budget has refilled.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await c.PutObjectAsync("budget", "k3", [1, 2, 3])).Status);
        Assert.Equal(200, (await c.GetObjectAsync("budget", "k3")).Status);

        var map = await t.Server.GetPartitionMapAsync("budget");
        Assert.Equal(3, map.Sum(p => p.Throttled)); // the PUT, the GET and the HEAD refused above
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Without_the_emulation_no_request_is_throttled(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/open")).Status);
        for (int i = 0; i < 40; i++)
        {
            var put = await c.PutObjectAsync("open", $"seq/{i:D4}", [1]);
            Assert.Equal(200, put.Status);
            Assert.Null(put.Header("x-amz-retry-after"));
        }
        for (int i = 0; i < 40; i++) Assert.Equal(200, (await c.GetObjectAsync("open", "seq/0000")).Status);
        Assert.Null(t.Server.PartitionBudget);
        var map = await t.Server.GetPartitionMapAsync("open");
        Assert.Equal(0, map.Sum(p => p.Throttled));
        Assert.True(map.Sum(p => p.Writes) >= 40);

        // A server without a users file: its one user sees the map; an unsigned request does not.
        var mine = await c.SendAsync("GET", "/open", "sluice-partitions");
        Assert.Equal(200, mine.Status);
        using (var json = JsonDocument.Parse(mine.Body)) Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("emulation").ValueKind);
        Assert.Equal(403, (await c.SendAsync("GET", "/open", "sluice-partitions", sign: false)).Status);
    }

    /// <summary>
    /// A partition kept over its budget splits once it has been hot for the split delay — at the key where its load
    /// divides — and then each half has its own budget, so keys spread over both are admitted twice as fast.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_partition_hot_for_the_split_delay_splits_and_each_half_gets_a_budget(string front)
    {
        var clock = new ManualClock();
        await using var t = await TestServer.StartAsync(front, limits: Tiny, partitions: Manual(clock, splitDelaySeconds: 3, mergeAfterSeconds: 20));
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/hot")).Status);
        await t.Server.RunPartitionPolicyAsync();
        int ticks = 0, throttled = 0;
        // Ten writes a second over hashed-looking names (a budget of three): hot from the fourth tick, split three later.
        while ((await t.Server.GetPartitionMapAsync("hot")).Count == 1)
        {
            Assert.True(++ticks <= 30, "the hot partition never split");
            for (int i = 0; i < 10; i++)
            {
                string key = $"{(i * 7 + ticks) % 10:x}{ticks:D3}";
                if ((await c.PutObjectAsync("hot", key, [1])).Status == 503) throttled++;
            }
            clock.Advance(TimeSpan.FromSeconds(1));
            await t.Server.RunPartitionPolicyAsync();
        }
        Assert.InRange(ticks, 5, 12);
        Assert.True(throttled >= 7 * ticks - 10, $"{throttled} refused in {ticks} ticks");
        var map = await t.Server.GetPartitionMapAsync("hot");
        Assert.Equal(2, map.Count);
        string boundary = Encoding.UTF8.GetString(map[1].LowKey.Span);
        // The split kept the history: the halves share the parent's counts.
        Assert.Equal(ticks * 10, map.Sum(p => p.Writes));
        Assert.Equal(throttled, map.Sum(p => p.Throttled));
        Assert.True(map.All(p => p.WriteRate > 0));

        // A fresh second: three writes below the boundary and three at or above it are all admitted, a fourth on
        // either side is not.
        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await c.PutObjectAsync("hot", "!" + i, [1])).Status); // '!' sorts before every key written
            Assert.Equal(200, (await c.PutObjectAsync("hot", boundary + "-above" + i, [1])).Status);
        }
        Assert.Equal(503, (await c.PutObjectAsync("hot", boundary + "-above9", [1])).Status);
        Assert.Equal(503, (await c.PutObjectAsync("hot", "!9", [1])).Status);

        // The load stops: once both halves have been cold (a tenth of their budget) for the merge delay, they merge
        // back, keeping every key and the history.
        int quiet = 0;
        while ((await t.Server.GetPartitionMapAsync("hot")).Count > 1)
        {
            Assert.True(++quiet <= 40, "the cold neighbours never merged");
            clock.Advance(TimeSpan.FromSeconds(5));
            await t.Server.RunPartitionPolicyAsync();
        }
        Assert.InRange(quiet, 5, 20); // the rates decay below the cold line (~30 s), then 20 s cold
        var merged = Assert.Single(await t.Server.GetPartitionMapAsync("hot"));
        Assert.Equal(ticks * 10 + 8, merged.Writes);
        Assert.Equal(200, (await c.GetObjectAsync("hot", "!0")).Status);
    }

    /// <summary>
    /// Writers keep writing while the map is split and merged under them (heat splits at their keys, merges of cold
    /// neighbours): every key stays readable, a listing is complete, and after a restart the map is the same.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Splits_and_merges_under_concurrent_writers_leave_every_key_readable_and_listed(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/busy")).Status);
        var index = await t.Server.GetKeyIndexAsync("busy");
        const int Writers = 4, PerWriter = 60;
        using var done = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                var put = await t.Client.PutObjectAsync("busy", $"w{w}/{i:D3}", Encoding.UTF8.GetBytes($"{w}:{i}"));
                Assert.Equal(200, put.Status);
            }
        })).ToArray();
        var all = Task.WhenAll(writers);
        int splits = 0, merges = 0, step = 0;
        while (!all.IsCompleted || splits < 8)
        {
            // Split the partition holding some writer's latest area, then now and then merge a boundary back.
            var map = index.GetPartitionMap();
            string at = $"w{step % Writers}/{(step * 13) % PerWriter:D3}";
            byte[] atBytes = Encoding.UTF8.GetBytes(at);
            var holder = map.Last(p => p.LowKey.Span.SequenceCompareTo(atBytes) <= 0);
            if (index.TrySplitAt(holder.LowKey.ToArray(), atBytes)) splits++;
            if (step % 3 == 2 && map.Count > 2 && index.TryMergeAt(map[1 + (step % (map.Count - 1))].LowKey.ToArray())) merges++;
            step++;
            await Task.Delay(1); // pace the map changes; the writers need the cores
            if (step > 100_000) break;
        }
        await all;
        Assert.True(splits >= 8 && merges >= 1, $"{splits} splits, {merges} merges");

        async Task CheckAsync()
        {
            for (int w = 0; w < Writers; w++)
            {
                for (int i = 0; i < PerWriter; i++)
                {
                    var get = await t.Client.GetObjectAsync("busy", $"w{w}/{i:D3}");
                    Assert.Equal(200, get.Status);
                    Assert.Equal($"{w}:{i}", get.Text);
                }
            }
            var listed = new List<string>();
            string? token = null;
            do
            {
                var page = await t.Client.SendAsync("GET", "/busy", "list-type=2&max-keys=37" + (token == null ? "" : "&continuation-token=" + Uri.EscapeDataString(token)));
                Assert.Equal(200, page.Status);
                listed.AddRange(System.Text.RegularExpressions.Regex.Matches(page.Text, "<Key>([^<]*)</Key>").Select(m => m.Groups[1].Value));
                var next = System.Text.RegularExpressions.Regex.Match(page.Text, "<NextContinuationToken>([^<]*)</NextContinuationToken>");
                token = next.Success ? next.Groups[1].Value : null;
            } while (token != null);
            var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, PerWriter).Select(i => $"w{w}/{i:D3}")).Order(StringComparer.Ordinal);
            Assert.Equal(expected, listed);
        }

        await CheckAsync();
        var before = (await t.Server.GetPartitionMapAsync("busy")).Select(p => Encoding.UTF8.GetString(p.LowKey.Span)).ToList();
        Assert.True(before.Count > 2);
        await t.RestartAsync();
        await CheckAsync();
        var after = (await t.Server.GetPartitionMapAsync("busy")).Select(p => Encoding.UTF8.GetString(p.LowKey.Span)).ToList();
        Assert.Equal(before, after);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task The_partition_map_endpoint_is_the_administrators_and_shows_ranges_counts_and_throttling(string front)
    {
        var clock = new ManualClock();
        await using var t = await TestServer.StartAsync(front, users: true, limits: Tiny, partitions: Manual(clock));
        var owner = t.Client; // user "main"
        Assert.Equal(200, (await owner.SendAsync("PUT", "/mapped")).Status);
        for (int i = 0; i < 4; i++) await owner.PutObjectAsync("mapped", $"k{i}", [1]); // the fourth is throttled
        await t.Server.SplitPartitionAsync("mapped", "k0");

        var denied = await owner.SendAsync("GET", "/mapped", "sluice-partitions");
        Assert.Equal(403, denied.Status);
        Assert.Equal("AccessDenied", denied.ErrorCode);

        using var admin = t.ClientFor(TestServer.AdminAccessKey, TestServer.AdminSecret);
        var response = await admin.SendAsync("GET", "/mapped", "sluice-partitions");
        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.Header("content-type"));
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.Equal("mapped", root.GetProperty("bucket").GetString());
        Assert.Equal("tiny", root.GetProperty("emulation").GetProperty("profile").GetString());
        Assert.Equal(3, root.GetProperty("emulation").GetProperty("writesPerSecond").GetDouble());
        Assert.Equal(3, root.GetProperty("keys").GetInt32());
        var partitions = root.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(2, partitions.Count);
        Assert.Equal("", partitions[0].GetProperty("low").GetString());
        Assert.Equal("k1", partitions[0].GetProperty("high").GetString());
        Assert.Equal("k1", partitions[1].GetProperty("low").GetString());
        Assert.Equal(JsonValueKind.Null, partitions[1].GetProperty("high").ValueKind);
        Assert.Equal(3, partitions.Sum(p => p.GetProperty("keys").GetInt32()));
        Assert.Equal(1, partitions.Sum(p => p.GetProperty("throttled").GetInt64()));
        Assert.Equal(4, partitions.Sum(p => p.GetProperty("writes").GetInt64()));

        Assert.Equal(404, (await admin.SendAsync("GET", "/nosuch", "sluice-partitions")).Status);
    }
}
