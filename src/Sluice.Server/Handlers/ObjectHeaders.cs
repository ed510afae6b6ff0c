using System.Text;
using Sluice.S3.Checksums;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>Reads what a write request sets on an object (content headers, storage class, x-amz-meta-*) and which
/// additional checksum it declares (a x-amz-checksum-* header, a trailer announced in x-amz-trailer, or only the
/// algorithm).</summary>
internal static class ObjectHeaders
{
    private static readonly KnownHeader[] ChecksumHeaders =
    [
        KnownHeader.XAmzChecksumCrc32, KnownHeader.XAmzChecksumCrc32C, KnownHeader.XAmzChecksumCrc64Nvme,
        KnownHeader.XAmzChecksumSha1, KnownHeader.XAmzChecksumSha256, KnownHeader.XAmzChecksumMd5,
        KnownHeader.XAmzChecksumSha512, KnownHeader.XAmzChecksumXxHash64, KnownHeader.XAmzChecksumXxHash3,
        KnownHeader.XAmzChecksumXxHash128,
    ];

    private static readonly ChecksumAlgorithm[] ChecksumAlgorithms =
    [
        ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Sha1,
        ChecksumAlgorithm.Sha256, ChecksumAlgorithm.Md5, ChecksumAlgorithm.Sha512, ChecksumAlgorithm.XxHash64,
        ChecksumAlgorithm.XxHash3, ChecksumAlgorithm.XxHash128,
    ];

    /// <summary>The attributes the request sets (x-amz-meta-* lower-cased, as S3 returns them).</summary>
    public static ObjectAttributes ReadAttributes(S3Exchange x)
    {
        var head = x.HeadBytes.Span;
        var headers = x.Request.Headers;
        List<KeyValuePair<string, byte[]>>? meta = null;
        foreach (var field in headers.Fields)
        {
            var name = field.Name.Of(head);
            if (KnownHeaders.IsUserMetadata(name))
            {
                meta ??= [];
                meta.Add(new(Encoding.ASCII.GetString(name[KnownHeaders.UserMetadataPrefix.Length..]).ToLowerInvariant(), field.Value.Of(head).ToArray()));
            }
        }
        return new ObjectAttributes
        {
            ContentType = Get(x, KnownHeader.ContentType),
            ContentEncoding = StripAwsChunked(Get(x, KnownHeader.ContentEncoding)),
            ContentDisposition = Get(x, KnownHeader.ContentDisposition),
            ContentLanguage = Get(x, KnownHeader.ContentLanguage),
            CacheControl = Get(x, KnownHeader.CacheControl),
            Expires = Get(x, KnownHeader.Expires),
            StorageClass = NullIfStandard(Get(x, KnownHeader.XAmzStorageClass)),
            UserMetadata = (IReadOnlyList<KeyValuePair<string, byte[]>>?)meta ?? [],
        };
    }

    private static string? NullIfStandard(string? storageClass) =>
        string.IsNullOrEmpty(storageClass) || storageClass == "STANDARD" ? null : storageClass;

    /// <summary>
    /// aws-chunked is the transfer's encoding, not the object's: S3 drops it from Content-Encoding. The other codings
    /// are kept exactly as sent ("deflate, gzip" stays so).
    /// </summary>
    private static string? StripAwsChunked(string? value)
    {
        if (value == null || !value.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase)) return value;
        var kept = value.Split(',').Where(v => !v.Trim().Equals("aws-chunked", StringComparison.OrdinalIgnoreCase));
        string joined = string.Join(",", kept).Trim();
        return joined.Length == 0 ? null : joined;
    }

    public static string? Get(S3Exchange x, KnownHeader header) =>
        x.Request.Headers.TryGet(header, out var field) ? Encoding.UTF8.GetString(field.Value.Of(x.HeadBytes.Span)) : null;

    /// <summary>
    /// The declared checksum: algorithm, the value in a header (null when it comes in a trailer or not at all) and
    /// whether a trailer carries it. False when the request names two different checksums.
    /// </summary>
    public static bool TryGetChecksum(S3Exchange x, out ChecksumAlgorithm algorithm, out string? headerValue, out bool inTrailer)
    {
        algorithm = ChecksumAlgorithm.None;
        headerValue = null;
        inTrailer = false;
        for (int i = 0; i < ChecksumHeaders.Length; i++)
        {
            string? value = Get(x, ChecksumHeaders[i]);
            if (value == null) continue;
            if (algorithm != ChecksumAlgorithm.None) return false;
            algorithm = ChecksumAlgorithms[i];
            headerValue = value.Trim();
        }
        string? trailer = Get(x, KnownHeader.XAmzTrailer);
        if (trailer != null && ChecksumAlgorithmExtensions.TryParseHeaderName(trailer.Trim().AsSpan(), out var fromTrailer))
        {
            if (algorithm != ChecksumAlgorithm.None && algorithm != fromTrailer) return false;
            algorithm = fromTrailer;
            inTrailer = headerValue == null;
        }
        if (algorithm == ChecksumAlgorithm.None)
        {
            string? named = Get(x, KnownHeader.XAmzSdkChecksumAlgorithm) ?? Get(x, KnownHeader.XAmzChecksumAlgorithm);
            if (named != null && !ChecksumAlgorithmExtensions.TryParse(named.Trim().AsSpan(), out algorithm)) return false;
        }
        return true;
    }

    /// <summary>The trailer value for <paramref name="algorithm"/>, or null.</summary>
    public static string? FindTrailer(IReadOnlyList<KeyValuePair<string, string>> trailers, ChecksumAlgorithm algorithm)
    {
        string name = algorithm.GetHeaderName();
        foreach (var t in trailers)
            if (string.Equals(t.Key, name, StringComparison.OrdinalIgnoreCase)) return t.Value.Trim();
        return null;
    }
}
