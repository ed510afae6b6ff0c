namespace Sluice.Server.Index;

/// <summary>
/// A precondition checked atomically with a put, under the bucket's write lock: S3's create-only
/// <c>If-None-Match: *</c> and <c>If-Match</c> on writes.
/// </summary>
public readonly struct PutCondition
{
    private readonly string? _eTag;
    private readonly byte _kind;

    private PutCondition(byte kind, string? eTag)
    {
        _kind = kind;
        _eTag = eTag;
    }

    /// <summary>Always write.</summary>
    public static PutCondition None => default;

    /// <summary>Write only if the key does not exist (<c>If-None-Match: *</c>).</summary>
    public static PutCondition IfAbsent => new(1, null);

    /// <summary>Write only if the key exists with this ETag (<c>If-Match</c>).</summary>
    public static PutCondition IfETagMatches(string eTag) => new(2, eTag ?? throw new ArgumentNullException(nameof(eTag)));

    internal bool Allows(IndexEntry? current) => _kind switch
    {
        1 => current is null,
        2 => current is not null && string.Equals(current.ETag, _eTag, StringComparison.Ordinal),
        _ => true,
    };
}
