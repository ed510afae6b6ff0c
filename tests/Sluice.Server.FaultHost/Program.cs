using Sluice.IO;
using Sluice.Server.Storage;

namespace Sluice.Server.FaultHost;

/// <summary>
/// `Sluice.Server.FaultHost put-loop DIR uring|managed`: writes objects into bucket "crash" forever — key "k-i" with
/// a body derived from i, and key "same" overwritten with version i — printing "ack i" after each pair is committed
/// (that is, acknowledged). The test kills it with SIGKILL at a random moment and checks what the store holds.
/// </summary>
public static class Program
{
    /// <summary>Body of object i: deterministic, sizes spread from 0 to ~300 KiB (0 and page edges included).</summary>
    public static byte[] Body(int i)
    {
        int size = i % 7 == 0 ? 0 : (i * 7919) % 300_000;
        var bytes = new byte[size];
        new Random(i).NextBytes(bytes);
        return bytes;
    }

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "versioned-loop") return await VersionedLoopAsync(args[1], args[2]);
        if (args.Length == 3 && args[0] == "lock-loop") return await LockLoopAsync(args[1], args[2]);
        if (args.Length == 3 && args[0] == "split-loop") return await SplitLoopAsync(args[1], args[2]);
        if (args.Length != 3 || args[0] != "put-loop") { Console.Error.WriteLine("usage: put-loop|versioned-loop|lock-loop DIR uring|managed"); return 2; }
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = args[2], ReactorCount = 2 });
        await using var store = await ObjectStore.OpenAsync(engine, args[1]);
        await store.CreateBucketAsync("crash");
        Console.WriteLine("ready");
        for (int i = 0; ; i++)
        {
            byte[] body = Body(i);
            await using (var writer = await store.BeginPutAsync("crash", "k-" + i))
            {
                for (int at = 0; at < body.Length; at += 16_384)
                    await writer.WriteAsync(body.AsMemory(at, Math.Min(16_384, body.Length - at)));
                await writer.CommitAsync();
            }
            await store.PutAsync("crash", "same", body, new ObjectAttributes { UserMetadata = [new("version", System.Text.Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))] });
            Console.WriteLine("ack " + i);
        }
    }

    /// <summary>
    /// `versioned-loop DIR MODE`: the disk store with its journaled indexes (as `sluice serve` runs it), bucket "crash"
    /// with versioning enabled, key "v" written with body i — every fourth step a delete (a delete marker) instead, and
    /// every fifth the version two steps back removed by id — printing "ack i put|marker|removed ID" once each is
    /// acknowledged.
    /// </summary>
    private static async Task<int> VersionedLoopAsync(string directory, string mode)
    {
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = mode, ReactorCount = 2 });
        var store = await ObjectStore.OpenAsync(engine, directory);
        var indexes = new BucketIndexes(store);
        await indexes.OpenAllAsync();
        await using var disk = new DiskStorage(store, indexes);
        await disk.CreateBucketAsync("crash");
        await disk.SetBucketSettingAsync("crash", BucketSetting.Versioning,
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray());
        Console.WriteLine("ready");
        var puts = new List<string>();
        for (int i = 0; ; i++)
        {
            if (i % 5 == 4 && puts.Count >= 2)
            {
                string old = puts[^2];
                puts.RemoveAt(puts.Count - 2);
                var removed = await disk.DeleteVersionAsync("crash", "v", old, null);
                Console.WriteLine($"ack {i} removed {removed.VersionId}");
            }
            else if (i % 4 == 3)
            {
                var marker = await disk.DeleteVersionAsync("crash", "v", null, null);
                Console.WriteLine($"ack {i} marker {marker.VersionId}");
            }
            else
            {
                byte[] body = Body(i);
                ObjectMetadata written;
                await using (var writer = await disk.BeginPutAsync("crash", "v", Sluice.S3.Checksums.ChecksumAlgorithm.None))
                {
                    await writer.WriteAsync(body);
                    written = await writer.CommitAsync(new ObjectAttributes { UserMetadata = [new("step", System.Text.Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))] },
                        null, null, null);
                }
                puts.Add(written.VersionId!);
                Console.WriteLine($"ack {i} put {written.VersionId}");
            }
        }
    }

    /// <summary>
    /// `split-loop DIR MODE`: the disk store with its journaled indexes; bucket "crash" gets key "p-i" (body
    /// <see cref="Body"/>(i) cut to 1 KiB) at step i, printing "ack i" once the put is acknowledged; between puts the
    /// partition map changes as the partition policy changes it: every third step a split at the newest key
    /// ("split KEY"), every eighth a merge of the oldest boundary still there ("merge KEY"), each printed once it
    /// returned (journaled, not yet known durable: a later ack makes it so).
    /// </summary>
    private static async Task<int> SplitLoopAsync(string directory, string mode)
    {
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = mode, ReactorCount = 2 });
        var store = await ObjectStore.OpenAsync(engine, directory);
        var indexes = new BucketIndexes(store);
        await indexes.OpenAllAsync();
        await using var disk = new DiskStorage(store, indexes);
        await disk.CreateBucketAsync("crash");
        var index = await disk.GetKeyIndexAsync("crash");
        Console.WriteLine("ready");
        for (int i = 0; ; i++)
        {
            string key = SplitLoopKey(i);
            byte[] body = Body(i).AsSpan(0, Math.Min(1024, Body(i).Length)).ToArray();
            await using (var writer = await disk.BeginPutAsync("crash", key, Sluice.S3.Checksums.ChecksumAlgorithm.None))
            {
                await writer.WriteAsync(body);
                await writer.CommitAsync(new ObjectAttributes(), null, null, null);
            }
            Console.WriteLine("ack " + i);
            byte[] at = System.Text.Encoding.UTF8.GetBytes(key);
            if (i % 3 == 2)
            {
                var map = index.GetPartitionMap();
                var holder = map.Last(p => p.LowKey.Span.SequenceCompareTo(at) <= 0);
                if (index.TrySplitAt(holder.LowKey.ToArray(), at)) Console.WriteLine("split " + key);
            }
            if (i % 8 == 7 && index.GetPartitionMap() is { Count: > 1 } current)
            {
                byte[] boundary = current[1].LowKey.ToArray();
                if (index.TryMergeAt(boundary)) Console.WriteLine("merge " + System.Text.Encoding.UTF8.GetString(boundary));
            }
        }
    }

    /// <summary>The key split-loop writes at step i.</summary>
    public static string SplitLoopKey(int i) => "p-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The retain-until date step i of lock-loop writes or extends to (far in the future, distinct per step).</summary>
    public static DateTimeOffset RetainUntil(int i) => new DateTimeOffset(2090, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(i);

    /// <summary>
    /// `lock-loop DIR MODE`: object lock state on disk as `sluice serve` keeps it. Bucket "crash", versioned; key "L"
    /// written with a GOVERNANCE retention (step i: until <see cref="RetainUntil"/>(i)), then by turns a legal hold put
    /// on a version by id or a version's retention extended by id — printing "ack i put|hold|extend ID" once each is
    /// acknowledged.
    /// </summary>
    private static async Task<int> LockLoopAsync(string directory, string mode)
    {
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = mode, ReactorCount = 2 });
        var store = await ObjectStore.OpenAsync(engine, directory);
        var indexes = new BucketIndexes(store);
        await indexes.OpenAllAsync();
        await using var disk = new DiskStorage(store, indexes);
        await disk.CreateBucketAsync("crash");
        await disk.SetBucketSettingAsync("crash", BucketSetting.Versioning,
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray());
        Console.WriteLine("ready");
        var puts = new List<string>();
        for (int i = 0; ; i++)
        {
            if (i % 3 == 1 && puts.Count > 0)
            {
                string id = puts[i % puts.Count];
                await disk.UpdateAttributesAsync("crash", "L", id, m => m.Attributes with { LegalHold = true });
                Console.WriteLine($"ack {i} hold {id}");
            }
            else if (i % 3 == 2 && puts.Count > 0)
            {
                string id = puts[(i * 7) % puts.Count];
                var until = RetainUntil(i);
                await disk.UpdateAttributesAsync("crash", "L", id, m => m.Attributes with { RetainUntil = until });
                Console.WriteLine($"ack {i} extend {id}");
            }
            else
            {
                byte[] body = Body(i);
                ObjectMetadata written;
                await using (var writer = await disk.BeginPutAsync("crash", "L", Sluice.S3.Checksums.ChecksumAlgorithm.None))
                {
                    await writer.WriteAsync(body);
                    written = await writer.CommitAsync(new ObjectAttributes { LockMode = "GOVERNANCE", RetainUntil = RetainUntil(i) },
                        null, null, null);
                }
                puts.Add(written.VersionId!);
                Console.WriteLine($"ack {i} put {written.VersionId}");
            }
        }
    }
}
