using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// What a CompleteMultipartUpload request asserts about the whole object, checked before anything is published: the
/// object's checksum (x-amz-checksum-*: the full-object value, or the composite one with or without its "-N"), the
/// checksum type (x-amz-checksum-type) and the size (x-amz-mp-object-size). Null members are not asserted.
/// </summary>
public sealed record CompleteChecks(ChecksumAlgorithm Algorithm, string? Checksum, string? ChecksumType, long? ObjectSize);
