using System.Diagnostics;
using System.Globalization;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.S3.Naming;
using Sluice.S3.Xml;

namespace Sluice.ListBench;

/// <summary>
/// Listing benchmark (issue 17): N keys under 16 (or 256) hex hash prefixes, listed whole by one sequential
/// ListObjectsV2 walk, by the parallel lister over the known hash prefixes, and by the parallel lister discovering
/// them — alternating, several rounds, medians and the ratio to sequential in the same run. Every listing is
/// checked to return all N keys in S3's order. Populates with many concurrent 0-byte PUTs unless the keys exist.
/// Usage: Sluice.ListBench --endpoint URL [--keys N] [--hash-chars 1] [--concurrency 16] [--rounds 3]
/// [--put-concurrency 128] [--bucket NAME] [--keep]; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var a = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2) a[args[i].TrimStart('-')] = args[i + 1];
        if (!a.TryGetValue("endpoint", out string? endpoint))
        {
            await Console.Error.WriteLineAsync("usage: Sluice.ListBench --endpoint URL [--keys N] [--hash-chars 1] [--concurrency 16] [--rounds 3] [--put-concurrency 128] [--bucket NAME] [--keep true]");
            return 2;
        }

        int keys = Int(a, "keys", 100_000), hashChars = Int(a, "hash-chars", 1), lanes = Int(a, "concurrency", 16);
        int rounds = Int(a, "rounds", 3), putConcurrency = Int(a, "put-concurrency", 128);
        string bucket = a.GetValueOrDefault("bucket", $"listbench-{keys}");
        bool keep = a.GetValueOrDefault("keep") == "true";
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = new Uri(endpoint),
            AccessKeyId = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? throw new ArgumentException("AWS_ACCESS_KEY_ID"),
            SecretAccessKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? throw new ArgumentException("AWS_SECRET_ACCESS_KEY"),
            ForcePathStyle = true,
        });

        Console.WriteLine($"load before: {Uptime()}");
        var names = Enumerable.Range(0, keys).Select(i => KeyNaming.AddHashPrefix($"obj-{i:D10}", hashChars)).ToArray();
        var expected = names.Order(S3KeyComparer.Instance).ToArray();
        if (!await client.BucketExistsAsync(bucket)) await client.CreateBucketAsync(bucket);
        long present = await CountAsync(client.ListObjectsV2ParallelAsync(new ListObjectsRequest(bucket), new() { Prefixes = KeyNaming.AllHashPrefixes(hashChars), MaxConcurrency = lanes }), null);
        if (present != keys)
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = putConcurrency }, async (k, ct) =>
                await client.PutObjectAsync(new PutObjectRequest(bucket, k), ReadOnlyMemory<byte>.Empty, ct));
            Console.WriteLine($"populated {keys} 0-byte objects at {putConcurrency} in flight in {clock.Elapsed.TotalSeconds:F1} s ({keys / clock.Elapsed.TotalSeconds:F0} PUT/s)");
        }

        var prefixes = KeyNaming.AllHashPrefixes(hashChars);
        // Large enough that no range waits for the reader: ordered output at full parallelism (memory: the listing).
        int buffered = Math.Max(16, keys / prefixes.Count / 1000 + 2);
        var runs = new (string Name, Func<IAsyncEnumerable<ListedObject>> List)[]
        {
            ("sequential ListObjectsV2", () => client.ListObjectsV2Async(new ListObjectsRequest(bucket))),
            ($"parallel, {prefixes.Count} known prefixes, {lanes} in flight", () => client.ListObjectsV2ParallelAsync(new ListObjectsRequest(bucket),
                new() { Prefixes = prefixes, MaxConcurrency = lanes, BufferedPagesPerRange = buffered })),
            ($"parallel, discovered, {lanes} in flight", () => client.ListObjectsV2ParallelAsync(new ListObjectsRequest(bucket),
                new() { MaxConcurrency = lanes, BufferedPagesPerRange = buffered })),
        };
        var times = runs.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < runs.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                long n = await CountAsync(runs[i].List(), expected);
                times[i].Add(clock.Elapsed.TotalSeconds);
                if (n != keys) throw new InvalidOperationException($"{runs[i].Name}: {n} keys, not {keys}");
            }
        }

        double baseline = Median(times[0]);
        Console.WriteLine($"{keys} keys under {prefixes.Count} hash prefixes, {rounds} rounds (median; every listing checked complete and in order)");
        for (int i = 0; i < runs.Length; i++)
        {
            double m = Median(times[i]);
            Console.WriteLine($"  {runs[i].Name,-44} {m,8:F2} s  {keys / m,10:F0} keys/s  x{baseline / m:F2}   [{string.Join(", ", times[i].Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}]");
        }

        Console.WriteLine($"load after: {Uptime()}");
        if (!keep)
        {
            foreach (var chunk in names.Chunk(1000)) await client.DeleteObjectsAsync(bucket, chunk);
            await client.DeleteBucketAsync(bucket);
        }

        return 0;
    }

    private static async Task<long> CountAsync(IAsyncEnumerable<ListedObject> items, string[]? expected)
    {
        long n = 0;
        await foreach (ListedObject o in items)
        {
            if (expected is not null && (n >= expected.Length || expected[n] != o.Key))
                throw new InvalidOperationException($"key {n} is {o.Key}, expected {(n < expected.Length ? expected[n] : "none")}");
            n++;
        }

        return n;
    }

    private static int Int(Dictionary<string, string> a, string name, int fallback) =>
        a.TryGetValue(name, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static double Median(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static string Uptime()
    {
        using var p = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true })!;
        string text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text;
    }
}
