using System.Text;
using Sluice.S3.Conditions;
using Sluice.S3.Errors;

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

    /// <summary>
    /// A conditional delete's x-amz-if-match-last-modified-time (DeleteObjects: LastModifiedTime): the current
    /// version's Last-Modified, compared to the second as HTTP dates are.
    /// </summary>
    public DateTimeOffset? IfMatchLastModified { get; init; }

    /// <summary>A conditional delete's x-amz-if-match-size (DeleteObjects: Size): the current version's size.</summary>
    public long? IfMatchSize { get; init; }

    /// <summary>True when no condition is set at all.</summary>
    public bool IsEmpty => string.IsNullOrWhiteSpace(IfMatch) && string.IsNullOrWhiteSpace(IfNoneMatch)
        && IfMatchLastModified == null && IfMatchSize == null && !RespectObjectLock;

    /// <summary>
    /// A delete of one version in a bucket with object lock: refused (AccessDenied) while the version's retention or
    /// legal hold is in force (<see cref="ObjectAttributes.IsLockedAt"/>), checked atomically with the removal.
    /// </summary>
    public bool RespectObjectLock { get; init; }

    /// <summary>x-amz-bypass-governance-retention: true (by one allowed to): a GOVERNANCE retention does not refuse.</summary>
    public bool BypassGovernance { get; init; }

    /// <summary>A delete that only honours object lock (no precondition).</summary>
    public static WriteCondition ObjectLock(bool bypassGovernance) =>
        new(null, null) { RespectObjectLock = true, BypassGovernance = bypassGovernance };

    /// <summary>
    /// Refuses the permanent removal of <paramref name="version"/> (null or a delete marker: nothing to protect) while
    /// object lock protects it, as S3 answers: 403 AccessDenied.
    /// </summary>
    internal void EvaluateLock(ObjectMetadata? version)
    {
        if (!RespectObjectLock || version == null || version.IsDeleteMarker) return;
        if (version.Attributes.IsLockedAt(DateTimeOffset.UtcNow, BypassGovernance))
            throw S3StorageException.Of(S3ErrorCode.AccessDenied, "Access Denied because object protected by object lock.");
    }

    /// <summary>
    /// Evaluates the condition against the key's current version (null: none), as every store does atomically with
    /// its publication: true when the write must not replace an existing version (If-None-Match: *, which the store
    /// then enforces as it publishes); PreconditionFailed, NoSuchKey or NotImplemented as S3 answers otherwise.
    /// </summary>
    internal bool Evaluate(ObjectMetadata? current, string bucket, string key)
    {
        var result = Preconditions.EvaluateWrite(Encoding.UTF8.GetBytes(IfMatch ?? ""),
            Encoding.UTF8.GetBytes(IfNoneMatch ?? ""), current != null,
            Encoding.UTF8.GetBytes(current?.ETag ?? ""));
        if (result == ConditionResult.Proceed && (IfMatchLastModified != null || IfMatchSize != null))
        {
            // Like If-Match, these name a version that must exist (NoSuchKey) and be the current one (412).
            if (current == null) result = ConditionResult.NoSuchKey;
            else if ((IfMatchSize != null && IfMatchSize != ObjectEncryption.VisibleSize(current))
                || (IfMatchLastModified is { } at && Seconds(at) != Seconds(current.LastModified)))
                result = ConditionResult.PreconditionFailed;
        }
        return result switch
        {
            ConditionResult.Proceed => !string.IsNullOrWhiteSpace(IfNoneMatch),
            ConditionResult.NoSuchKey => throw S3StorageException.NoSuchKey(bucket, key),
            ConditionResult.NotImplemented => throw S3StorageException.Of(S3ErrorCode.NotImplemented,
                "A header you provided implies functionality that is not implemented: If-None-Match on a write takes only *."),
            _ => throw S3StorageException.Of(S3ErrorCode.PreconditionFailed, null, "/" + bucket + "/" + key),
        };
    }

    private static long Seconds(DateTimeOffset t) => t.ToUnixTimeSeconds();
}
