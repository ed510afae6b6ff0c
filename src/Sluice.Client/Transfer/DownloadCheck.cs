using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// What a download's bytes are checked against, decided once the object's ETag and stored checksums are known and
/// before the remaining parts are fetched (so an MD5 is computed only when it is the check): a stored CRC
/// (full-object, or composite over the same part layout), else the ETag's MD5, else nothing (<see cref="Reason"/>).
/// </summary>
internal sealed record DownloadCheck
{
    public required TransferVerification Kind { get; init; }

    /// <summary>The stored CRC's algorithm (<see cref="TransferVerification.Checksum"/>).</summary>
    public ChecksumAlgorithm Algorithm { get; init; }

    /// <summary>The stored checksum (base64, "-N" when composite) or the ETag (lower case, no quotes).</summary>
    public string? Expected { get; init; }

    public bool IsComposite { get; init; }

    /// <summary>The uploader's part size and count (<see cref="TransferVerification.MultipartETag"/>).</summary>
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

    /// <summary>A digest to feed the object's bytes in order, for the ETag checks; null otherwise.</summary>
    public ETagDigest? NewDigest() => Kind switch
    {
        TransferVerification.Md5ETag => ETagDigest.ForSinglePart(),
        TransferVerification.MultipartETag => PartSizes is { } sizes ? ETagDigest.ForParts(sizes) : ETagDigest.ForMultipart(UploaderPartSize, UploaderParts),
        _ => null,
    };

    /// <summary>What the check is against, for messages: "CRC64NVME abc=" or "ETag 0123...".</summary>
    public string Describe() => Kind == TransferVerification.Checksum ? $"{Algorithm.GetS3Name()} {Expected}" : $"ETag {Expected}";
}
