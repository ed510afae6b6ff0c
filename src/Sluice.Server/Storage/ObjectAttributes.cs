namespace Sluice.Server.Storage;

/// <summary>
/// What a client sets on an object and S3 stores and echoes back: the standard content headers, storage class,
/// user metadata (x-amz-meta-* names without the prefix, in the order given). CopyObject's metadata directive
/// decides whether a copy keeps the source's attributes or takes new ones; that choice is the caller's.
/// </summary>
public sealed record ObjectAttributes
{
    public static ObjectAttributes Empty { get; } = new();

    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentLanguage { get; init; }
    public string? CacheControl { get; init; }

    /// <summary>The Expires header as the client sent it (S3 stores and returns it verbatim).</summary>
    public string? Expires { get; init; }

    /// <summary>STANDARD, REDUCED_REDUNDANCY, ...; null means STANDARD (not echoed).</summary>
    public string? StorageClass { get; init; }

    /// <summary>
    /// x-amz-meta-* pairs: the name without the prefix, lower case as S3 returns it, and the value's bytes exactly as
    /// sent (SigV4 signs them as bytes; a client may send UTF-8, Latin-1 or an RFC 2047 encoded word, and gets back
    /// what it sent). An empty value is a value.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> UserMetadata { get; init; } = [];

    /// <summary>The object's tag set (x-amz-tagging, PutObjectTagging), in the order given; already validated.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Encryption at rest (SSE-C, SSE-S3, SSE-KMS) of the stored body; null: stored as sent.</summary>
    public ObjectEncryption? Encryption { get; init; }

    /// <summary>
    /// The version's ACL (x-amz-acl, x-amz-grant-*, PutObjectAcl) with its owner; null: owned by the bucket's owner
    /// with the default ACL (FULL_CONTROL to the owner), which is what an owner's plain write stores — nothing.
    /// </summary>
    public Access.AccessControlList? Acl { get; init; }
}
