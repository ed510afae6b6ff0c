using Sluice.S3.Errors;

namespace Sluice.Server.Storage;

/// <summary>
/// A storage outcome that is an S3 error (NoSuchKey, BucketNotEmpty, BadDigest, PreconditionFailed, ...): the handler
/// writes <see cref="Error"/> as the response. Disk failures are not this type; they stay <c>IoException</c>.
/// </summary>
public sealed class S3StorageException : Exception
{
    public S3StorageException(S3Error error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public S3StorageException() : this(new S3Error(S3ErrorCode.InternalError)) { }

    public S3StorageException(string message) : this(new S3Error(S3ErrorCode.InternalError, message)) { }

    public S3StorageException(string message, Exception innerException)
        : base(message, innerException) => Error = new S3Error(S3ErrorCode.InternalError, message);

    /// <summary>The S3 error to answer with.</summary>
    public S3Error Error { get; }

    /// <summary>
    /// Set when the answer concerns a delete marker (a key whose newest version is one: NoSuchKey; a delete marker
    /// named by id: MethodNotAllowed): its reported version id, sent as x-amz-version-id with x-amz-delete-marker.
    /// </summary>
    public string? DeleteMarkerVersionId { get; init; }

    /// <summary>Shortcut for <c>Error.Code</c>, e.g. <see cref="S3ErrorCode.NoSuchKey"/>.</summary>
    public string Code => Error.Code;

    internal static S3StorageException Of(string code, string? message = null, string? resource = null) =>
        new(new S3Error(code, message) { Resource = resource });

    internal static S3StorageException NoSuchBucket(string bucket) =>
        new(new S3Error(S3ErrorCode.NoSuchBucket) { Resource = "/" + bucket }.WithDetail("BucketName", bucket));

    internal static S3StorageException NoSuchKey(string bucket, string key) =>
        new(new S3Error(S3ErrorCode.NoSuchKey) { Resource = "/" + bucket + "/" + key }.WithDetail("Key", key));

    internal static S3StorageException NoSuchVersion(string bucket, string key, string versionId) =>
        new(new S3Error(S3ErrorCode.NoSuchVersion) { Resource = "/" + bucket + "/" + key }
            .WithDetail("Key", key).WithDetail("VersionId", versionId));

    /// <summary>A read without a version id of a key whose newest version is a delete marker.</summary>
    internal static S3StorageException DeletedKey(string bucket, string key, string markerVersionId) =>
        new(new S3Error(S3ErrorCode.NoSuchKey) { Resource = "/" + bucket + "/" + key }.WithDetail("Key", key))
        {
            DeleteMarkerVersionId = markerVersionId,
        };

    /// <summary>A delete marker named by its version id, for anything but DELETE (S3: 405 MethodNotAllowed).</summary>
    internal static S3StorageException DeleteMarkerNamed(string bucket, string key, string markerVersionId, string method) =>
        new(new S3Error(S3ErrorCode.MethodNotAllowed) { Resource = "/" + bucket + "/" + key }
            .WithDetail("Method", method).WithDetail("ResourceType", "DeleteMarker"))
        {
            DeleteMarkerVersionId = markerVersionId,
        };

    internal static S3StorageException NoSuchUpload(string uploadId) =>
        new(new S3Error(S3ErrorCode.NoSuchUpload).WithDetail("UploadId", uploadId));
}
