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

    /// <summary>Object lock retention of this version: GOVERNANCE or COMPLIANCE (with <see cref="RetainUntil"/>); null: none.</summary>
    public string? LockMode { get; init; }

    /// <summary>Until when the retention in <see cref="LockMode"/> holds (whole seconds, UTC); null with no mode.</summary>
    public DateTimeOffset? RetainUntil { get; init; }

    /// <summary>Object lock legal hold (ON): the version cannot be deleted until it is turned off.</summary>
    public bool LegalHold { get; init; }

    /// <summary>A legal hold was ever set on the version, ON or OFF (S3 answers GetObjectLegalHold for one never set
    /// with NoSuchObjectLockConfiguration, and reports OFF once set).</summary>
    public bool LegalHoldSet { get; init; }

    /// <summary>True when anything of object lock is set on the version (a mode or a legal hold, in force or not).</summary>
    public bool HasLock => LockMode != null || LegalHold || LegalHoldSet;

    /// <summary>
    /// True while the version is protected at <paramref name="now"/>: a legal hold, a COMPLIANCE retention not yet
    /// expired, or (unless <paramref name="bypassGovernance"/>) a GOVERNANCE retention not yet expired.
    /// </summary>
    public bool IsLockedAt(DateTimeOffset now, bool bypassGovernance) =>
        LegalHold || (RetainUntil is { } until && until > now && (LockMode == "COMPLIANCE" || !bypassGovernance));

    /// <summary>The same attributes without any object lock setting (a copy's source keeps its own).</summary>
    public ObjectAttributes WithoutLock() => HasLock ? this with { LockMode = null, RetainUntil = null, LegalHold = false, LegalHoldSet = false } : this;

    /// <summary>
    /// The version's ACL (x-amz-acl, x-amz-grant-*, PutObjectAcl) with its owner; null: owned by the bucket's owner
    /// with the default ACL (FULL_CONTROL to the owner), which is what an owner's plain write stores — nothing.
    /// </summary>
    public Access.AccessControlList? Acl { get; init; }
}
