using Sluice.Client.Model;
using Sluice.S3.Naming;
using Sluice.S3.Xml;

namespace Sluice.Client.Tests.Listing;

/// <summary>
/// S3Client.ListObjectsV2ParallelAsync against the embedded server and against a server that ignores start-after:
/// the merged result must be exactly the brute-force sequential listing (same keys, same order), whatever the
/// boundaries, with errors and cancellation reaching the reader.
/// </summary>
public sealed class ParallelListerTests
{
    /// <summary>Keys across 16 hex hash prefixes, plus keys around and on the boundaries and odd characters.</summary>
    private static List<string> Keys()
    {
        var keys = new List<string>();
        for (int i = 0; i < 600; i++)
        {
            keys.Add("data/" + KeyNaming.AddHashPrefix($"obj-{i:D5}", 1));
        }

        keys.AddRange([
            "data/!before-every-prefix", "data/3", "data/3/", "data/5", "data/a-not-hashed", "data/zz-after-every-prefix",
            "data/7/ü ñ & <x> +%20", "data/7\U0010FFFFx", "data/7/\U0010FFFF", "data/7/\uFF5E-tilde", "data/7/😀-emoji", "data/7/\uE000-private", "data/c/tab\there",
            "data", "dat", "datb/outside", "other/x", "\uFF5E", "😀",
        ]);
        return keys;
    }

    private static async Task<List<string>> CollectAsync(IAsyncEnumerable<ListedObject> items)
    {
        var keys = new List<string>();
        await foreach (ListedObject o in items)
        {
            keys.Add(o.Key);
        }

        return keys;
    }

    private static async Task<S3Client> PopulatedAsync(ClientTestServer server, IEnumerable<string> keys)
    {
        var client = server.CreateClient();
        await client.CreateBucketAsync("par");
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, ct) =>
            await client.PutObjectAsync(new PutObjectRequest("par", k), ReadOnlyMemory<byte>.Empty, ct));
        return client;
    }

    [Fact]
    public async Task Merged_listing_equals_the_sequential_one_for_every_way_of_splitting()
    {
        await using var server = await ClientTestServer.StartAsync();
        var keys = Keys();
        await using var client = await PopulatedAsync(server, keys);
        foreach (string? prefix in new[] { "data/", null, "data/7/", "dat" })
        {
            // Small pages so every range walks several.
            var request = new ListObjectsRequest("par") { Prefix = prefix, MaxKeys = 23 };
            var sequential = await CollectAsync(client.ListObjectsV2Async(request));
            var brute = keys.Where(k => k.StartsWith(prefix ?? "", StringComparison.Ordinal)).Order(S3KeyComparer.Instance).ToList();
            Assert.Equal(brute, sequential);

            ParallelListOptions[] ways =
            [
                new() { Prefixes = KeyNaming.AllHashPrefixes(1), MaxConcurrency = 4, BufferedPagesPerRange = 1 },
                new() { Prefixes = KeyNaming.AllHashPrefixes(2), MaxConcurrency = 16 }, // 256 ranges, most empty
                new() { Prefixes = ["3", "3/", "7/", "7/😀", "7/\uFF5E", "q", "q", "zzzz"], MaxConcurrency = 3 }, // unsorted, repeated, on keys
                new() { MaxConcurrency = 8 }, // discovery
                new() { MaxConcurrency = 2, MaxRanges = 3 }, // discovery, thinned
                new() { Prefixes = [], MaxConcurrency = 1 }, // one range
            ];
            foreach (var way in ways)
            {
                var parallel = await CollectAsync(client.ListObjectsV2ParallelAsync(request, way));
                Assert.Equal(sequential, parallel);
            }
        }

        // StartAfter of the request is honoured as the listing's start.
        var after = new ListObjectsRequest("par") { Prefix = "data/", StartAfter = "data/5" };
        Assert.Equal(await CollectAsync(client.ListObjectsV2Async(after)),
            await CollectAsync(client.ListObjectsV2ParallelAsync(after, new() { Prefixes = KeyNaming.AllHashPrefixes(1) })));
    }

    [Fact]
    public async Task Prefixes_with_no_keys_list_nothing_and_end()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = await PopulatedAsync(server, ["a/1", "b/2"]);
        Assert.Empty(await CollectAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest("par") { Prefix = "nothing/" })));
        Assert.Empty(await CollectAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest("par") { Prefix = "nothing/" },
            new() { Prefixes = KeyNaming.AllHashPrefixes(1) })));
        await client.CreateBucketAsync("empty");
        Assert.Empty(await CollectAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest("empty"))));
    }

    [Fact]
    public async Task A_server_that_ignores_start_after_still_gives_every_key_once_in_order()
    {
        var keys = Keys();
        await using var fake = new StartAfterIgnoringServer(keys);
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = fake.Endpoint,
            AccessKeyId = "AKIDFAKE",
            SecretAccessKey = "fake",
        });
        foreach (string? prefix in new[] { "data/", null })
        {
            var request = new ListObjectsRequest("b") { Prefix = prefix, MaxKeys = 37 };
            var brute = keys.Where(k => k.StartsWith(prefix ?? "", StringComparison.Ordinal)).Order(S3KeyComparer.Instance).ToList();
            Assert.Equal(brute, await CollectAsync(client.ListObjectsV2Async(request)));
            int before = fake.StartAfters;
            Assert.Equal(brute, await CollectAsync(client.ListObjectsV2ParallelAsync(request,
                new() { Prefixes = KeyNaming.AllHashPrefixes(1), MaxConcurrency = 5, BufferedPagesPerRange = 2 })));
            Assert.Equal(brute, await CollectAsync(client.ListObjectsV2ParallelAsync(request, new() { MaxConcurrency = 3 })));
            // The ranges did ask for start-after, and had it ignored.
            Assert.True(fake.StartAfters - before >= 16);
        }
    }

    [Fact]
    public async Task An_error_in_a_later_range_ends_the_listing_with_that_error()
    {
        var keys = Keys();
        // The range after "data/c" fails while the reader may still be in the first ones.
        await using var fake = new StartAfterIgnoringServer(keys, denyStartAfter: "data/c");
        await using var client = new S3Client(new S3ClientOptions { Endpoint = fake.Endpoint, AccessKeyId = "AKIDFAKE", SecretAccessKey = "fake" });
        var request = new ListObjectsRequest("b") { Prefix = "data/", MaxKeys = 10 };
        var error = await Assert.ThrowsAsync<S3Exception>(() =>
            CollectAsync(client.ListObjectsV2ParallelAsync(request, new() { Prefixes = KeyNaming.AllHashPrefixes(1), MaxConcurrency = 4, BufferedPagesPerRange = 1 })));
        Assert.Equal("AccessDenied", error.Code);
    }

    [Fact]
    public async Task Errors_and_cancellation_reach_the_reader()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = await PopulatedAsync(server, Keys());
        var missing = await Assert.ThrowsAsync<S3Exception>(() => CollectAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest("nosuch"))));
        Assert.Equal("NoSuchBucket", missing.Code);
        missing = await Assert.ThrowsAsync<S3Exception>(() => CollectAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest("nosuch"),
            new() { Prefixes = KeyNaming.AllHashPrefixes(1) })));
        Assert.Equal("NoSuchBucket", missing.Code);
        Assert.Throws<ArgumentException>(() => client.ListObjectsV2ParallelAsync(new ListObjectsRequest("par") { Delimiter = "/" }));

        // Cancelled mid-way: the reader sees the cancellation, and everything started has ended when it does.
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var request = new ListObjectsRequest("par") { MaxKeys = 10 };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ListedObject _ in client.ListObjectsV2ParallelAsync(request, new() { Prefixes = KeyNaming.AllHashPrefixes(1) }, cts.Token))
            {
                if (++seen == 50)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(50, seen);

        // Leaving early stops the ranges; the client keeps working.
        int taken = 0;
        await foreach (ListedObject _ in client.ListObjectsV2ParallelAsync(request, new() { Prefixes = KeyNaming.AllHashPrefixes(1), BufferedPagesPerRange = 1 }))
        {
            if (++taken == 30)
            {
                break;
            }
        }

        Assert.Equal(30, taken);
        Assert.Equal(Keys().Count, (await CollectAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest("par")))).Count);
    }
}
