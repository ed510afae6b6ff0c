using System.Globalization;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;
using Sluice.S3.Xml;

namespace Sluice.Cli.Commands;

/// <summary>
/// Whether two same-sized copies hold the same bytes, decided without transferring either (for <c>sluice check</c>):
/// a local file against an object by the object's stored full-object checksum, else the MD5 of a single-part ETag,
/// else the multipart ETag recomputed over the uploader's parts (their sizes from HEAD ?partNumber=N); two objects by
/// equal ETags, a full-object checksum they share, or two single-part MD5 ETags. When none of these applies the answer
/// is "unverified" with the reason, never a guess.
/// </summary>
internal sealed class ContentCheck(S3Client client)
{
    private const string Composite = "COMPOSITE";

    /// <summary>How many HEAD ?partNumber=i requests are in flight at once when asking a multipart object's part sizes.</summary>
    private const int PartSizeQueries = 8;

    /// <summary>The answer for one pair: <see cref="Verdict"/> and, unless they are the same, why.</summary>
    internal readonly record struct Outcome(CheckVerdict Verdict, string? Reason)
    {
        public static Outcome Same => new(CheckVerdict.Same, null);
    }

    /// <summary>A local file against an object of the same size.</summary>
    public async Task<Outcome> LocalAgainstObjectAsync(string path, string bucket, string key, CancellationToken cancellationToken)
    {
        var head = await client.HeadObjectAsync(new GetObjectRequest(bucket, key) { ChecksumMode = true }, cancellationToken);
        if (FullObjectChecksum(head.Checksums) is var (algorithm, stored))
        {
            string local = await LocalDigest.ChecksumBase64Async(path, algorithm, cancellationToken);
            return local == stored ? Outcome.Same : new Outcome(CheckVerdict.Differ, $"{algorithm.GetS3Name()} {local} against the stored {stored}");
        }
        if (NotMd5(head) is { } why) return new Outcome(CheckVerdict.Unverified, $"no stored full-object checksum, and {why}");
        string etag = Normalize(head.ETag!);
        if (!ETag.TryParse(head.ETag.AsSpan().Trim(), stackalloc byte[Md5Digest.HashSizeInBytes], out int parts))
            return new Outcome(CheckVerdict.Unverified, $"no stored full-object checksum, and its ETag {head.ETag} is not an MD5");
        if (parts == 0)
        {
            string md5 = await LocalDigest.Md5HexAsync(path, cancellationToken);
            return md5 == etag ? Outcome.Same : new Outcome(CheckVerdict.Differ, $"MD5 {md5} against the ETag {etag}");
        }

        // A multipart ETag is the MD5 of the parts' MD5s: the first part's size and the count give the uniform parts
        // uploaders cut; a mismatch over them may still be uneven parts, so it is settled with every part's size.
        ObjectMetadata first;
        try
        {
            first = await client.HeadObjectAsync(new GetObjectRequest(bucket, key) { PartNumber = 1, Conditions = IfMatch(head.ETag!) }, cancellationToken);
        }
        catch (S3Exception e) when (e.StatusCode != 412)
        {
            return new Outcome(CheckVerdict.Unverified, $"no stored full-object checksum, and the server does not tell the sizes of its {parts} parts (partNumber: {e.Code})");
        }
        long size = head.ContentLength, partSize = first.ContentLength;
        if (first.PartsCount != parts || partSize <= 0)
            return new Outcome(CheckVerdict.Unverified, $"no stored full-object checksum, and the server's part sizes ({first.PartsCount} parts, the first {partSize} bytes) do not fit its ETag ({parts} parts)");
        if ((size + partSize - 1) / partSize == parts)
        {
            string uniform = await LocalDigest.MultipartETagAsync(path, Uniform(size, partSize), cancellationToken);
            if (uniform == etag) return Outcome.Same;
        }
        var (sizes, unknown) = await PartSizesAsync(bucket, key, head.ETag!, parts, size, cancellationToken);
        if (sizes is null)
            return new Outcome(CheckVerdict.Unverified, $"no stored full-object checksum, the multipart ETag does not match over parts of {partSize} bytes, and {unknown}");
        string exact = await LocalDigest.MultipartETagAsync(path, sizes, cancellationToken);
        return exact == etag ? Outcome.Same : new Outcome(CheckVerdict.Differ, $"multipart ETag {exact} over its {parts} parts against {etag}");
    }

    /// <summary>Two objects of the same size; <paramref name="sourceETag"/> and <paramref name="destinationETag"/> as listed.</summary>
    public async Task<Outcome> ObjectAgainstObjectAsync(string sourceBucket, string sourceKey, string sourceETag,
        string destinationBucket, string destinationKey, string destinationETag, CancellationToken cancellationToken)
    {
        // Equal strong ETags of equal sizes: the same upload's bytes (or the same MD5s).
        if (!sourceETag.StartsWith("W/", StringComparison.Ordinal) && Normalize(sourceETag) == Normalize(destinationETag)) return Outcome.Same;
        var a = await client.HeadObjectAsync(new GetObjectRequest(sourceBucket, sourceKey) { ChecksumMode = true }, cancellationToken);
        var b = await client.HeadObjectAsync(new GetObjectRequest(destinationBucket, destinationKey) { ChecksumMode = true }, cancellationToken);
        if (FullObjectChecksum(a.Checksums) is var (algorithm, first) && StoredValue(b.Checksums, algorithm) is { } second && !second.Contains('-', StringComparison.Ordinal)
            && !string.Equals(b.Checksums.ChecksumType, Composite, StringComparison.OrdinalIgnoreCase))
            return first == second ? Outcome.Same : new Outcome(CheckVerdict.Differ, $"{algorithm.GetS3Name()} {first} against {second}");
        if (NotMd5(a) is null && NotMd5(b) is null && IsSinglePartMd5(a.ETag!) && IsSinglePartMd5(b.ETag!))
            return new Outcome(CheckVerdict.Differ, $"MD5 ETags {Normalize(a.ETag!)} and {Normalize(b.ETag!)}");
        return new Outcome(CheckVerdict.Unverified, $"the ETags {a.ETag} and {b.ETag} are not both MD5s of the bytes and there is no stored full-object checksum in common");
    }

    /// <summary>The first full-object checksum stored (a composite "-N" value covers parts, not the object).</summary>
    private static (ChecksumAlgorithm Algorithm, string Value)? FullObjectChecksum(ObjectChecksums c)
    {
        if (string.Equals(c.ChecksumType, Composite, StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var algorithm in (ReadOnlySpan<ChecksumAlgorithm>)[ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc32,
                     ChecksumAlgorithm.Sha256, ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha512, ChecksumAlgorithm.Md5,
                     ChecksumAlgorithm.XxHash3, ChecksumAlgorithm.XxHash64, ChecksumAlgorithm.XxHash128])
        {
            if (StoredValue(c, algorithm) is { } value && !value.Contains('-', StringComparison.Ordinal)) return (algorithm, value);
        }
        return null;
    }

    private static string? StoredValue(ObjectChecksums c, ChecksumAlgorithm algorithm) => c.Get(algorithm);

    /// <summary>Why the object's ETag is not an MD5 of its bytes (encryption, a weak or missing tag), or null.</summary>
    private static string? NotMd5(ObjectMetadata head)
    {
        if (head.SseCustomerAlgorithm != null) return "it is encrypted with SSE-C, so its ETag is not an MD5 of its bytes";
        if (head.ServerSideEncryption?.StartsWith("aws:kms", StringComparison.OrdinalIgnoreCase) == true)
            return "it is encrypted with SSE-KMS, so its ETag is not an MD5 of its bytes";
        if (head.ETag is null || head.ETag.StartsWith("W/", StringComparison.Ordinal)) return $"its ETag {head.ETag ?? "(none)"} is not an MD5";
        return null;
    }

    private static bool IsSinglePartMd5(string etag) =>
        ETag.TryParse(etag.AsSpan().Trim(), stackalloc byte[Md5Digest.HashSizeInBytes], out int parts) && parts == 0;

    private static string Normalize(string etag) => ETag.Unquote(etag.AsSpan().Trim()).ToString().ToLowerInvariant();

    private static ObjectConditions IfMatch(string etag) => new() { IfMatch = etag };

    private static long[] Uniform(long size, long partSize)
    {
        var sizes = new long[(size + partSize - 1) / partSize];
        for (int i = 0; i < sizes.Length; i++) sizes[i] = Math.Min(partSize, size - i * partSize);
        return sizes;
    }

    /// <summary>Each part's exact size from HEAD ?partNumber=i (pinned to the ETag, a few at a time), or why they cannot be had.</summary>
    private async Task<(long[]? Sizes, string? Unknown)> PartSizesAsync(string bucket, string key, string etag, int parts, long objectSize,
        CancellationToken cancellationToken)
    {
        var sizes = new long[parts];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(1, parts),
                new ParallelOptions { MaxDegreeOfParallelism = PartSizeQueries, CancellationToken = cancellationToken },
                async (number, ct) =>
                {
                    var meta = await client.HeadObjectAsync(new GetObjectRequest(bucket, key) { PartNumber = number, Conditions = IfMatch(etag) }, ct);
                    sizes[number - 1] = meta.PartsCount == parts ? meta.ContentLength : -1;
                });
        }
        catch (S3Exception e) when (e.StatusCode != 412)
        {
            return (null, $"the server does not tell its parts' sizes (partNumber: {e.Code})");
        }
        long total = sizes.Sum();
        if (sizes.Any(s => s < 0)) return (null, $"the server's answers for its parts do not say {parts} parts");
        return total == objectSize ? (sizes, null)
            : (null, string.Create(CultureInfo.InvariantCulture, $"the part sizes the server gives add up to {total} bytes, not {objectSize}"));
    }
}
