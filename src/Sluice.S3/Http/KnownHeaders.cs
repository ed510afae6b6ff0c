using System.Text;

namespace Sluice.S3.Http;

/// <summary>Maps header names to <see cref="KnownHeader"/> (case-insensitive, allocation-free) and back to canonical spelling.</summary>
public static class KnownHeaders
{
    private readonly record struct Entry(KnownHeader Id, byte[] Lower);

    private static readonly byte[][] Names = new byte[Enum.GetValues<KnownHeader>().Length][];

    // Candidates bucketed by name length: a lookup touches only the few names of equal length.
    private static readonly Entry[][] ByLength = Build();

    /// <summary>Longest known name; longer names are Unknown without any compare.</summary>
    public static int MaxKnownNameLength { get; private set; }

    /// <summary>Prefix of S3 user-defined metadata fields.</summary>
    public static ReadOnlySpan<byte> UserMetadataPrefix => "x-amz-meta-"u8;

    /// <summary>Identifies a header name case-insensitively; returns <see cref="KnownHeader.Unknown"/> for anything else.</summary>
    public static KnownHeader Lookup(ReadOnlySpan<byte> name)
    {
        Entry[][] byLength = ByLength;
        if ((uint)name.Length >= (uint)byLength.Length)
        {
            return KnownHeader.Unknown;
        }

        Entry[] candidates = byLength[name.Length];
        if (candidates.Length == 0)
        {
            return KnownHeader.Unknown;
        }

        // Cheap prefilter on first and last byte (ORing 0x20 lowercases letters and leaves digits and '-' alone).
        int first = name[0] | 0x20;
        int last = name[^1] | 0x20;
        foreach (Entry candidate in candidates)
        {
            byte[] lower = candidate.Lower;
            if (lower[0] == first && lower[^1] == last && Ascii.EqualsIgnoreCase(name, lower))
            {
                return candidate.Id;
            }
        }

        return KnownHeader.Unknown;
    }

    /// <summary>The canonical spelling used when writing (empty for <see cref="KnownHeader.Unknown"/>).</summary>
    public static ReadOnlySpan<byte> GetName(KnownHeader header)
    {
        byte[][] names = Names;
        return (uint)header < (uint)names.Length && names[(int)header] is { } n ? n : default;
    }

    /// <summary>True for x-amz-meta-* (any case), S3 user-defined metadata.</summary>
    public static bool IsUserMetadata(ReadOnlySpan<byte> name) =>
        name.Length > UserMetadataPrefix.Length && Ascii.EqualsIgnoreCase(name[..UserMetadataPrefix.Length], UserMetadataPrefix);

    /// <summary>True for the x-amz-checksum-&lt;algorithm&gt; value headers (not -mode, -type or -algorithm).</summary>
    public static bool IsChecksumValue(KnownHeader header) => header is KnownHeader.XAmzChecksumCrc32 or KnownHeader.XAmzChecksumCrc32C
        or KnownHeader.XAmzChecksumCrc64Nvme or KnownHeader.XAmzChecksumSha1 or KnownHeader.XAmzChecksumSha256
        or KnownHeader.XAmzChecksumMd5 or KnownHeader.XAmzChecksumSha512 or KnownHeader.XAmzChecksumXxHash64
        or KnownHeader.XAmzChecksumXxHash3 or KnownHeader.XAmzChecksumXxHash128;

    private static Entry[][] Build()
    {
        Add(KnownHeader.Host, "Host"u8);
        Add(KnownHeader.ContentLength, "Content-Length"u8);
        Add(KnownHeader.ContentType, "Content-Type"u8);
        Add(KnownHeader.ContentMD5, "Content-MD5"u8);
        Add(KnownHeader.TransferEncoding, "Transfer-Encoding"u8);
        Add(KnownHeader.Connection, "Connection"u8);
        Add(KnownHeader.KeepAlive, "Keep-Alive"u8);
        Add(KnownHeader.Expect, "Expect"u8);
        Add(KnownHeader.Authorization, "Authorization"u8);
        Add(KnownHeader.Date, "Date"u8);
        Add(KnownHeader.Range, "Range"u8);
        Add(KnownHeader.IfMatch, "If-Match"u8);
        Add(KnownHeader.IfNoneMatch, "If-None-Match"u8);
        Add(KnownHeader.IfModifiedSince, "If-Modified-Since"u8);
        Add(KnownHeader.IfUnmodifiedSince, "If-Unmodified-Since"u8);
        Add(KnownHeader.ContentEncoding, "Content-Encoding"u8);
        Add(KnownHeader.ContentDisposition, "Content-Disposition"u8);
        Add(KnownHeader.ContentLanguage, "Content-Language"u8);
        Add(KnownHeader.CacheControl, "Cache-Control"u8);
        Add(KnownHeader.Expires, "Expires"u8);
        Add(KnownHeader.ETag, "ETag"u8);
        Add(KnownHeader.LastModified, "Last-Modified"u8);
        Add(KnownHeader.ContentRange, "Content-Range"u8);
        Add(KnownHeader.AcceptRanges, "Accept-Ranges"u8);
        Add(KnownHeader.Location, "Location"u8);
        Add(KnownHeader.Server, "Server"u8);
        Add(KnownHeader.UserAgent, "User-Agent"u8);
        Add(KnownHeader.Accept, "Accept"u8);
        Add(KnownHeader.AcceptEncoding, "Accept-Encoding"u8);
        Add(KnownHeader.Te, "TE"u8);
        Add(KnownHeader.Trailer, "Trailer"u8);
        Add(KnownHeader.Upgrade, "Upgrade"u8);
        Add(KnownHeader.RetryAfter, "Retry-After"u8);
        Add(KnownHeader.XAmzDate, "x-amz-date"u8);
        Add(KnownHeader.XAmzContentSha256, "x-amz-content-sha256"u8);
        Add(KnownHeader.XAmzDecodedContentLength, "x-amz-decoded-content-length"u8);
        Add(KnownHeader.XAmzTrailer, "x-amz-trailer"u8);
        Add(KnownHeader.XAmzSecurityToken, "x-amz-security-token"u8);
        Add(KnownHeader.XAmzRequestId, "x-amz-request-id"u8);
        Add(KnownHeader.XAmzId2, "x-amz-id-2"u8);
        Add(KnownHeader.XAmzCopySource, "x-amz-copy-source"u8);
        Add(KnownHeader.XAmzCopySourceRange, "x-amz-copy-source-range"u8);
        Add(KnownHeader.XAmzCopySourceIfMatch, "x-amz-copy-source-if-match"u8);
        Add(KnownHeader.XAmzCopySourceIfNoneMatch, "x-amz-copy-source-if-none-match"u8);
        Add(KnownHeader.XAmzCopySourceIfModifiedSince, "x-amz-copy-source-if-modified-since"u8);
        Add(KnownHeader.XAmzCopySourceIfUnmodifiedSince, "x-amz-copy-source-if-unmodified-since"u8);
        Add(KnownHeader.XAmzCopySourceVersionId, "x-amz-copy-source-version-id"u8);
        Add(KnownHeader.XAmzMetadataDirective, "x-amz-metadata-directive"u8);
        Add(KnownHeader.XAmzTaggingDirective, "x-amz-tagging-directive"u8);
        Add(KnownHeader.XAmzStorageClass, "x-amz-storage-class"u8);
        Add(KnownHeader.XAmzChecksumCrc32, "x-amz-checksum-crc32"u8);
        Add(KnownHeader.XAmzChecksumCrc32C, "x-amz-checksum-crc32c"u8);
        Add(KnownHeader.XAmzChecksumCrc64Nvme, "x-amz-checksum-crc64nvme"u8);
        Add(KnownHeader.XAmzChecksumSha1, "x-amz-checksum-sha1"u8);
        Add(KnownHeader.XAmzChecksumSha256, "x-amz-checksum-sha256"u8);
        Add(KnownHeader.XAmzChecksumMd5, "x-amz-checksum-md5"u8);
        Add(KnownHeader.XAmzChecksumSha512, "x-amz-checksum-sha512"u8);
        Add(KnownHeader.XAmzChecksumXxHash64, "x-amz-checksum-xxhash64"u8);
        Add(KnownHeader.XAmzChecksumXxHash3, "x-amz-checksum-xxhash3"u8);
        Add(KnownHeader.XAmzChecksumXxHash128, "x-amz-checksum-xxhash128"u8);
        Add(KnownHeader.XAmzChecksumType, "x-amz-checksum-type"u8);
        Add(KnownHeader.XAmzChecksumMode, "x-amz-checksum-mode"u8);
        Add(KnownHeader.XAmzChecksumAlgorithm, "x-amz-checksum-algorithm"u8);
        Add(KnownHeader.XAmzSdkChecksumAlgorithm, "x-amz-sdk-checksum-algorithm"u8);
        Add(KnownHeader.XAmzRdmaToken, "x-amz-rdma-token"u8);
        Add(KnownHeader.XAmzVersionId, "x-amz-version-id"u8);
        Add(KnownHeader.XAmzDeleteMarker, "x-amz-delete-marker"u8);
        Add(KnownHeader.XAmzMpPartsCount, "x-amz-mp-parts-count"u8);
        Add(KnownHeader.XAmzServerSideEncryption, "x-amz-server-side-encryption"u8);
        Add(KnownHeader.XAmzTagging, "x-amz-tagging"u8);
        Add(KnownHeader.XAmzTaggingCount, "x-amz-tagging-count"u8);
        Add(KnownHeader.XAmzAcl, "x-amz-acl"u8);
        Add(KnownHeader.XAmzExpectedBucketOwner, "x-amz-expected-bucket-owner"u8);
        Add(KnownHeader.XAmzRequestPayer, "x-amz-request-payer"u8);
        Add(KnownHeader.XAmzUserAgent, "x-amz-user-agent"u8);
        Add(KnownHeader.XAmzWebsiteRedirectLocation, "x-amz-website-redirect-location"u8);
        Add(KnownHeader.XAmzObjectSize, "x-amz-object-size"u8);
        Add(KnownHeader.XAmzWriteOffsetBytes, "x-amz-write-offset-bytes"u8);
        Add(KnownHeader.XAmzBucketRegion, "x-amz-bucket-region"u8);
        Add(KnownHeader.XAmzRdmaReply, "x-amz-rdma-reply"u8);
        Add(KnownHeader.XAmzRdmaBytesTransferred, "x-amz-rdma-bytes-transferred"u8);
        Add(KnownHeader.Origin, "Origin"u8);
        Add(KnownHeader.AccessControlRequestMethod, "Access-Control-Request-Method"u8);
        Add(KnownHeader.AccessControlRequestHeaders, "Access-Control-Request-Headers"u8);

        int max = 0;
        for (int id = 1; id < Names.Length; id++)
        {
            max = Math.Max(max, Names[id].Length);
        }

        MaxKnownNameLength = max;
        var buckets = new List<Entry>[max + 1];
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] = [];
        }

        for (int id = 1; id < Names.Length; id++)
        {
            byte[] lower = Names[id].ToArray();
            Ascii.ToLowerInPlace(lower, out _);
            buckets[lower.Length].Add(new Entry((KnownHeader)id, lower));
        }

        return Array.ConvertAll(buckets, b => b.ToArray());

        static void Add(KnownHeader id, ReadOnlySpan<byte> name) => Names[(int)id] = name.ToArray();
    }
}
