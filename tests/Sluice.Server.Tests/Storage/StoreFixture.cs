using Sluice.IO;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

/// <summary>Every storage test runs on both I/O engines.</summary>
public static class StorageEngines
{
    public static TheoryData<string> Both => new() { "uring", "managed" };

    public static IoEngine Create(string mode) =>
        IoEngine.Create(new IoEngineOptions { Mode = mode, ReactorCount = 2 });
}

/// <summary>An engine, a fresh data directory and a store on it; <see cref="ReopenAsync"/> simulates a restart.</summary>
public sealed class StoreFixture : IAsyncDisposable
{
    private StoreFixture(IoEngine engine, string directory, ObjectStore store)
    {
        Engine = engine;
        Directory = directory;
        Store = store;
    }

    public IoEngine Engine { get; }
    public string Directory { get; }
    public ObjectStore Store { get; private set; }

    public static async Task<StoreFixture> CreateAsync(string mode, string? bucket = "bucket")
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-store-" + Guid.NewGuid().ToString("N"));
        var engine = StorageEngines.Create(mode);
        var store = await ObjectStore.OpenAsync(engine, directory);
        if (bucket != null) await store.CreateBucketAsync(bucket);
        return new StoreFixture(engine, directory, store);
    }

    /// <summary>Drops the store without finishing anything (as a crash would) and opens a new one on the directory.</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await ObjectStore.OpenAsync(Engine, Directory);
    }

    /// <summary>Every regular file under the data directory (full paths, symlinks not followed).</summary>
    public IReadOnlyList<string> AllFiles() =>
        System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Select(Path.GetFullPath).ToList();

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await Engine.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }

    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(ObjectStore store, string bucket, string key)
    {
        await using var reader = await store.OpenReadAsync(bucket, key);
        return await ReadRangeAsync(reader, 0, reader.Length);
    }

    public static async Task<byte[]> ReadRangeAsync(ObjectReader reader, long position, long count)
    {
        var result = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = await reader.ReadAsync(result.AsMemory(done), position + done);
            Assert.True(n > 0, $"body ended at {position + done}, {count - done} bytes short");
            done += n;
        }
        return result;
    }
}
