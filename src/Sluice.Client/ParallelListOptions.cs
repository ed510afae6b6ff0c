namespace Sluice.Client;

/// <summary>How <see cref="S3Client.ListObjectsV2ParallelAsync"/> fans a listing out.</summary>
public sealed record ParallelListOptions
{
    /// <summary>Listings in flight at once (each walks one key range page by page).</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>
    /// Sub-prefixes (after the request's prefix) that split the key space, e.g. the hash prefixes of
    /// <see cref="Sluice.S3.Naming.KeyNaming.AllHashPrefixes"/>. They are range boundaries, not filters: keys outside
    /// them are listed too. Null to discover boundaries with delimiter listings.
    /// </summary>
    public IReadOnlyList<string>? Prefixes { get; init; }

    /// <summary>
    /// Pages each range may fetch ahead of the reader. Output is in key order, so a range is read only after the ranges
    /// before it: the further ahead ranges may run, the more of the parallelism survives, at this many pages (up to
    /// 1,000 keys each) of memory per range in flight.
    /// </summary>
    public int BufferedPagesPerRange { get; init; } = 16;

    /// <summary>The delimiter discovery lists with.</summary>
    public string DiscoveryDelimiter { get; init; } = "/";

    /// <summary>Levels of common prefixes discovery descends while it has found fewer than four ranges per listing in flight.</summary>
    public int MaxDiscoveryDepth { get; init; } = 3;

    /// <summary>Most ranges a listing is split into (boundaries beyond it are thinned evenly).</summary>
    public int MaxRanges { get; init; } = 4096;
}
