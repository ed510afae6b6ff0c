using Sluice.Client.Model;

namespace Sluice.Cli.Bench;

/// <summary>An object in a job's <see cref="ObjectPool"/>: its key, its ready-made GET request and its size.</summary>
internal sealed class PooledObject(string bucket, string key, long size)
{
    public string Key { get; } = key;

    /// <summary>Made once, so reading the object costs what the client costs, not what building a request costs.</summary>
    public GetObjectRequest Get { get; } = new(bucket, key);

    public long Size { get; } = size;

    // Guarded by the pool's lock.
    internal int Readers;
    internal int Slot = -1;
}
