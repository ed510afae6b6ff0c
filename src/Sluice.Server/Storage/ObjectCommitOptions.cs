namespace Sluice.Server.Storage;

/// <summary>What a commit must verify: the digests the client sent and a write condition.</summary>
public sealed record ObjectCommitOptions
{
    /// <summary>Content-MD5 (base64 of the 16-byte MD5); a mismatch is BadDigest.</summary>
    public string? ExpectedContentMd5 { get; init; }

    /// <summary>x-amz-checksum-* value (base64) for the writer's algorithm; a mismatch is BadDigest.</summary>
    public string? ExpectedChecksum { get; init; }

    /// <summary>If-Match / If-None-Match for the write, or null.</summary>
    public WriteCondition? Condition { get; init; }
}
