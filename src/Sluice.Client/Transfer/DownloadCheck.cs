using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// What a download's bytes are checked against, decided once the object's ETag and stored checksums are known and
/// before the remaining parts are fetched (so an MD5 or SHA digest is computed only when it is the check): a stored CRC
/// (full-object, or composite over the same part layout), a stored SHA-1/SHA-256 (full-object, or composite over the
/// uploader's parts), else the ETag's MD5, else nothing (<see cref="Reason"/>).
/// </summary>
internal sealed record DownloadCheck
{
    public required TransferVerification Kind { get; init; }

    /// <summary>The stored checksum's algorithm (<see cref="TransferVerification.Checksum"/>).</summary>
    public ChecksumAlgorithm Algorithm { get; init; }

    /// <summary>The stored checksum (base64, "-N" when composite) or the ETag (lower case, no quotes).</summary>
    public string? Expected { get; init; }

    public bool IsComposite { get; init; }

    /// <summary>The uploader's part size and count (<see cref="TransferVerification.MultipartETag"/>, a composite SHA).</summary>
    public long UploaderPartSize { get; init; }

    public int UploaderParts { get; init; }

    /// <summary>
    /// Each part's exact size, when the parts are not all <see cref="UploaderPartSize"/> (an uploader that cut uneven
    /// parts, UploadPartCopy); null while the uniform parts are assumed.
    /// </summary>
    public long[]? PartSizes { get; init; }

    /// <summary>Why nothing can be checked (<see cref="TransferVerification.None"/>).</summary>
    public string? Reason { get; init; }

    public static DownloadCheck Unverifiable(string reason) => new() { Kind = TransferVerification.None, Reason = reason };

    /// <summary>
    /// Whether the check is a digest of the bytes fed in order (<see cref="NewDigest"/>): an ETag, or a stored SHA-1 or
    /// SHA-256, which does not combine from the download's parts as a CRC does.
    /// </summary>
    public bool IsDigest => Kind is TransferVerification.Md5ETag or TransferVerification.MultipartETag
        || Kind == TransferVerification.Checksum && !Algorithm.IsCombinable();

    /// <summary>
    /// Whether the check is computed over the uploader's parts, assumed all <see cref="UploaderPartSize"/> but the last
    /// (a multipart ETag or a composite SHA digest whose exact part sizes were not asked yet).
    /// </summary>
    public bool AssumesUniformParts => IsDigest && UploaderParts > 0 && PartSizes is null;

    /// <summary>A digest to feed the object's bytes in order, for the ETag and SHA checks; null otherwise.</summary>
    public ObjectDigest? NewDigest() => Kind switch
    {
        TransferVerification.Md5ETag => ObjectDigest.ForSinglePart(),
        TransferVerification.MultipartETag => PartSizes is { } sizes ? ObjectDigest.ForParts(sizes) : ObjectDigest.ForMultipart(UploaderPartSize, UploaderParts),
        TransferVerification.Checksum when !Algorithm.IsCombinable() => !IsComposite ? ObjectDigest.ForChecksum(Algorithm)
            : PartSizes is { } exact ? ObjectDigest.ForComposite(Algorithm, exact) : ObjectDigest.ForComposite(Algorithm, UploaderPartSize, UploaderParts),
        _ => null,
    };

    /// <summary>What the check is against, for messages: "CRC64NVME abc=" or "ETag 0123...".</summary>
    public string Describe() => Kind == TransferVerification.Checksum ? $"{Algorithm.GetS3Name()} {Expected}" : $"ETag {Expected}";
}
