using System.Collections.Concurrent;
using Sluice.Server.Index;

namespace Sluice.Server.Storage.Memory;

/// <summary>One version of a key in the memory store (<see cref="UploadId"/>: the upload that published it, if any).</summary>
internal sealed record MemoryObject(ObjectMetadata Metadata, MemoryBody Body, string? UploadId)
{
    /// <summary>The parts a multipart object was assembled from (a copy keeps its source's); empty otherwise.</summary>
    public IReadOnlyList<PartInfo> Parts { get; init; } = [];
}

/// <summary>One stored part of an upload.</summary>
internal sealed record MemoryPart(PartInfo Info, MemoryBody Body);

/// <summary>A multipart upload in progress; its parts by number, changed under <see cref="Gate"/>.</summary>
internal sealed class MemoryUpload(MultipartUploadInfo info)
{
    public MultipartUploadInfo Info { get; } = info;

    public SortedDictionary<int, MemoryPart> Parts { get; } = [];

    /// <summary>Part commits, Complete and Abort of one upload never interleave.</summary>
    public object Gate { get; } = new();

    /// <summary>Set once completed or aborted: a part committed after that is refused (NoSuchUpload).</summary>
    public bool Ended { get; set; }
}

/// <summary>
/// A memory store bucket: its objects by key, its key index (in memory) for listings, and its uploads. A key's
/// version and its index entry change together under the key's commit stripe.
/// </summary>
internal sealed class MemoryBucket(string name, DateTimeOffset created, string? ownerId = null)
{
    private const int StripeCount = 256;

    private readonly object[] _stripes = Enumerable.Range(0, StripeCount).Select(_ => new object()).ToArray();

    public BucketInfo Info { get; } = new(name, created) { OwnerId = ownerId };

    public string Name => Info.Name;

    public ConcurrentDictionary<string, MemoryObject> Objects { get; } = new(StringComparer.Ordinal);

    public BucketIndex Index { get; } = BucketIndex.CreateInMemory();

    public ConcurrentDictionary<string, MemoryUpload> Uploads { get; } = new(StringComparer.Ordinal);

    /// <summary>Noncurrent versions and delete markers by (key, version id); ordered by <see cref="VersionIndex"/>.</summary>
    public ConcurrentDictionary<(string Key, string VersionId), MemoryObject> Versions { get; } = new();

    /// <summary>The order of <see cref="Versions"/> (<see cref="VersionKeys"/>): what ListObjectVersions walks.</summary>
    public BucketIndex VersionIndex { get; } = BucketIndex.CreateInMemory();

    /// <summary>The versioning state every write reads (kept with the <see cref="BucketSetting.Versioning"/> document).</summary>
    public VersioningState Versioning { get; set; }

    /// <summary>Bucket-level documents (tagging...), each replaced whole.</summary>
    public ConcurrentDictionary<BucketSetting, byte[]> Settings { get; } = new();

    /// <summary>Set (under every stripe) when the bucket is deleted: no commit lands in it afterwards.</summary>
    public bool Deleted { get; set; }

    public object StripeOf(string key) => _stripes[(uint)string.GetHashCode(key, StringComparison.Ordinal) % StripeCount];

    /// <summary>Runs <paramref name="action"/> holding every stripe (DeleteBucket: no commit can interleave).</summary>
    public void UnderAllStripes(Action action) => Hold(0, action);

    private void Hold(int i, Action action)
    {
        if (i == _stripes.Length)
        {
            action();
            return;
        }
        lock (_stripes[i]) Hold(i + 1, action);
    }
}
