using System.Buffers.Binary;
using System.Globalization;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Objects;

namespace Sluice.Server.Storage;

/// <summary>
/// S3's CompleteMultipartUpload rules, shared by every store: the listed parts' order, numbers, ETags, checksums and
/// sizes against the stored parts, and the object's metadata from them (the multipart ETag, the combined checksum).
/// </summary>
internal static class MultipartAssembly
{
    /// <summary>S3's smallest part other than the last (5 MiB).</summary>
    public const long MinPartSize = 5L << 20;

    /// <summary>S3's highest part number.</summary>
    public const int MaxPartNumber = 10_000;

    /// <summary>MalformedXML for no parts, InvalidPartOrder unless part numbers ascend.</summary>
    public static void CheckOrder(IReadOnlyList<CompletedPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
            throw S3StorageException.Of(S3ErrorCode.MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema");
        for (int i = 1; i < parts.Count; i++)
            if (parts[i].PartNumber <= parts[i - 1].PartNumber) throw S3StorageException.Of(S3ErrorCode.InvalidPartOrder);
    }

    /// <summary>InvalidPart when a listed part number is out of range (check before looking it up).</summary>
    public static void CheckNumber(CompletedPart part)
    {
        if (part.PartNumber is < 1 or > MaxPartNumber) throw InvalidPart(part);
    }

    /// <summary>
    /// Checks each listed part against the stored one (<paramref name="stored"/>[i] for <paramref name="parts"/>[i],
    /// null when absent: InvalidPart; a non-last part under 5 MiB: EntityTooSmall) and returns the object's metadata.
    /// </summary>
    public static ObjectMetadata Assemble(string key, MultipartUploadInfo upload, IReadOnlyList<CompletedPart> parts,
        IReadOnlyList<PartInfo?> stored, DateTimeOffset lastModified, CompleteChecks? checks = null)
    {
        using var etag = new MultipartETag();
        var md5 = new byte[Md5Digest.HashSizeInBytes];
        long size = 0, storedSize = 0;
        // An encrypted upload's parts are stored as ciphertext streams: S3's rules (minimum part size, the checksum
        // combination, the object size) apply to their plaintext, which each part's stored length gives.
        var encryption = upload.Attributes.Encryption;
        if (encryption != null)
        {
            var plain = new PartInfo?[stored.Count];
            for (int i = 0; i < stored.Count; i++)
            {
                if (stored[i] is not { } s) continue;
                storedSize += s.Size;
                plain[i] = s with { Size = EncryptedLayout.PlainLength(s.Size, encryption.ChunkSize) };
            }
            stored = plain;
        }
        for (int i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            CheckNumber(part);
            if (stored[i] is not { } found) throw InvalidPart(part);
            if (!ETag.Matches(System.Text.Encoding.UTF8.GetBytes(part.ETag.Trim()),
                    System.Text.Encoding.UTF8.GetBytes(found.ETag), weakComparison: false))
                throw InvalidPart(part);
            if (part.Checksum != null && !string.Equals(part.Checksum.Trim(), found.Checksum, StringComparison.Ordinal))
                throw InvalidPart(part);
            if (i < parts.Count - 1 && found.Size < MinPartSize)
                throw new S3StorageException(new S3Error(S3ErrorCode.EntityTooSmall)
                    .WithDetail("ProposedSize", found.Size.ToString(CultureInfo.InvariantCulture))
                    .WithDetail("MinSizeAllowed", MinPartSize.ToString(CultureInfo.InvariantCulture))
                    .WithDetail("PartNumber", part.PartNumber.ToString(CultureInfo.InvariantCulture)));
            ETag.TryParse(System.Text.Encoding.ASCII.GetBytes(found.ETag), md5, out _);
            etag.AddPart(md5);
            size += found.Size;
        }
        var etagText = new byte[ETag.MaxLength];
        int etagLength = etag.Format(etagText);
        var (checksum, checksumType) = CombineChecksums(upload.ChecksumAlgorithm, ChecksumTypeOf(upload), stored!);
        if (checks != null) Verify(checks, upload, checksum, size);
        return new ObjectMetadata
        {
            Key = key,
            Size = encryption == null ? size : storedSize,
            ETag = System.Text.Encoding.ASCII.GetString(etagText, 0, etagLength),
            LastModified = lastModified,
            Attributes = encryption == null ? upload.Attributes
                : upload.Attributes with { Encryption = encryption.Persisted() with { PlainSize = size } },
            ChecksumAlgorithm = checksum == null ? ChecksumAlgorithm.None : upload.ChecksumAlgorithm,
            Checksum = checksum,
            ChecksumType = checksumType,
            PartCount = parts.Count,
        };
    }

    private static S3StorageException InvalidPart(CompletedPart part) =>
        new(new S3Error(S3ErrorCode.InvalidPart)
            .WithDetail("PartNumber", part.PartNumber.ToString(CultureInfo.InvariantCulture))
            .WithDetail("ETag", part.ETag));

    /// <summary>
    /// How an upload's part checksums combine: as asked at CreateMultipartUpload, else S3's default for the algorithm
    /// (CRC64NVME: FULL_OBJECT; CRC32, CRC32C, SHA-1, SHA-256: COMPOSITE); null without a checksum.
    /// </summary>
    public static string? ChecksumTypeOf(MultipartUploadInfo upload) =>
        upload.ChecksumAlgorithm == ChecksumAlgorithm.None ? null
        : upload.ChecksumType ?? (upload.ChecksumAlgorithm == ChecksumAlgorithm.Crc64Nvme ? ObjectStore.FullObject : ObjectStore.Composite);

    /// <summary>
    /// The problem with a requested checksum type for <paramref name="algorithm"/>, or null: FULL_OBJECT needs a CRC
    /// (CRCs combine; the SHA and MD5 digests and the XXHASHes do not), COMPOSITE is not offered for CRC64NVME, as S3
    /// has it.
    /// </summary>
    public static string? CheckChecksumType(ChecksumAlgorithm algorithm, string type)
    {
        if (type is not (ObjectStore.FullObject or ObjectStore.Composite)) return "Value for x-amz-checksum-type header is invalid.";
        if (algorithm == ChecksumAlgorithm.None) return "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.";
        if (type == ObjectStore.FullObject && !algorithm.IsCombinable())
            return $"The FULL_OBJECT checksum type cannot be used with the {algorithm.GetS3Name().ToLowerInvariant()} checksum algorithm.";
        if (type == ObjectStore.Composite && algorithm == ChecksumAlgorithm.Crc64Nvme)
            return "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.";
        return null;
    }

    /// <summary>Complete's assertions about the whole object: BadDigest for a checksum or type that does not match,
    /// InvalidRequest for a checksum of another algorithm or a size that does not match.</summary>
    private static void Verify(CompleteChecks checks, MultipartUploadInfo upload, string? checksum, long size)
    {
        if (checks.ObjectSize is { } expected && expected != size)
            throw S3StorageException.Of(S3ErrorCode.InvalidRequest,
                "The provided 'x-amz-mp-object-size' header value " + expected.ToString(CultureInfo.InvariantCulture) +
                " does not match what was computed: " + size.ToString(CultureInfo.InvariantCulture));
        if (checks.ChecksumType != null && checks.ChecksumType != ChecksumTypeOf(upload))
            throw S3StorageException.Of(S3ErrorCode.BadDigest,
                $"The upload was created using the {ChecksumTypeOf(upload) ?? "NONE"} checksum mode. The complete request must use the same checksum mode.");
        if (checks.Checksum == null) return;
        if (checks.Algorithm != upload.ChecksumAlgorithm || checksum == null)
            throw S3StorageException.Of(S3ErrorCode.InvalidRequest,
                $"The upload was created using {(upload.ChecksumAlgorithm == ChecksumAlgorithm.None ? "no" : "the " + upload.ChecksumAlgorithm.GetS3Name())} checksum algorithm; the complete request sent {checks.Algorithm.GetS3Name()}.");
        static string Bare(string value)
        {
            value = value.Trim();
            int dash = value.IndexOf('-', StringComparison.Ordinal);
            return dash < 0 ? value : value[..dash];
        }
        if (!string.Equals(Bare(checks.Checksum), Bare(checksum), StringComparison.Ordinal))
            throw S3StorageException.Of(S3ErrorCode.BadDigest,
                $"The {checks.Algorithm.GetHeaderName()} you specified did not match the calculated checksum.");
    }

    /// <summary>
    /// The object's checksum from its parts' (null when the upload has none or a part lacks one): FULL_OBJECT combines
    /// the parts' CRCs into the whole object's CRC; COMPOSITE is S3's checksum of checksums (the algorithm over the
    /// parts' binary checksums, plus "-N").
    /// </summary>
    private static (string? Checksum, string? Type) CombineChecksums(ChecksumAlgorithm algorithm, string? type, IReadOnlyList<PartInfo> parts)
    {
        if (algorithm == ChecksumAlgorithm.None) return (null, null);
        int length = algorithm.GetHashLength();
        var binary = new byte[length * parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            string? value = parts[i].Checksum;
            if (value == null || !Convert.TryFromBase64String(value, binary.AsSpan(i * length, length), out int n) || n != length)
                return (null, null);
        }
        Span<byte> result = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        if (type == ObjectStore.FullObject)
        {
            ulong crc = 0;
            for (int i = 0; i < parts.Count; i++)
            {
                ulong part = length == 8
                    ? BinaryPrimitives.ReadUInt64BigEndian(binary.AsSpan(i * length))
                    : BinaryPrimitives.ReadUInt32BigEndian(binary.AsSpan(i * length));
                if (i == 0) crc = part;
                else S3Checksum.TryCombine(algorithm, crc, part, parts[i].Size, out crc);
            }
            if (length == 8) BinaryPrimitives.WriteUInt64BigEndian(result, crc);
            else BinaryPrimitives.WriteUInt32BigEndian(result, (uint)crc);
            return (Convert.ToBase64String(result[..length]), ObjectStore.FullObject);
        }
        int written = S3Checksum.HashData(algorithm, binary, result);
        return (Convert.ToBase64String(result[..written]) + "-" + parts.Count.ToString(CultureInfo.InvariantCulture),
            ObjectStore.Composite);
    }
}
