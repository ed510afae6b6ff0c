namespace Sluice.Server.Storage;

/// <summary>
/// A conditional write (PutObject, CopyObject destination, CompleteMultipartUpload): <c>If-None-Match: *</c> commits
/// only if the key is absent, <c>If-Match</c> only if the current ETag matches. Evaluated atomically with the commit
/// (412 PreconditionFailed, or NoSuchKey for If-Match on a missing key).
/// </summary>
public sealed record WriteCondition(string? IfMatch, string? IfNoneMatch)
{
    /// <summary>If-None-Match: * — create only.</summary>
    public static WriteCondition CreateOnly { get; } = new(null, "*");

    /// <summary>If-Match: <paramref name="etag"/> — replace only that version.</summary>
    public static WriteCondition Matching(string etag) => new(etag, null);
}
