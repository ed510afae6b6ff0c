using System.Buffers;
using System.Globalization;
using System.Text;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Objects;
using Sluice.S3.Xml;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>
    /// GetObject into <paramref name="destination"/>: the body is received straight into it (no intermediate copy when
    /// the receive buffer is empty). Fails with DestinationTooSmall when the body does not fit. The returned metadata's
    /// ContentLength is the number of bytes written.
    /// </summary>
    public async Task<ObjectMetadata> GetObjectAsync(GetObjectRequest request, Memory<byte> destination,
        CancellationToken cancellationToken = default)
    {
        S3CallResult result = await _transport.SendAsync(ReadCall(request, "GET"), new ResponseSink(destination),
            cancellationToken).ConfigureAwait(false);
        if (request.ChecksumMode && request.RangeStart is null && request.PartNumber is null)
        {
            VerifyChecksum(result.Metadata!, destination.Span[..(int)result.Delivered]);
        }

        return result.Metadata!;
    }

    /// <summary>
    /// With ChecksumMode on a whole-object read into memory, the bytes are checked against the full-object checksum
    /// the server sent (composite "-N" checksums of multipart objects cover parts, not the object, and are skipped).
    /// </summary>
    private static void VerifyChecksum(ObjectMetadata metadata, ReadOnlySpan<byte> body)
    {
        ObjectChecksums c = metadata.Checksums;
        if (string.Equals(c.ChecksumType, "COMPOSITE", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // The cheapest to recompute first: a CRC, then the digests.
        (ChecksumAlgorithm algorithm, string? expected) = (ChecksumAlgorithm.None, null);
        foreach (var candidate in (ReadOnlySpan<ChecksumAlgorithm>)[ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc32,
                     ChecksumAlgorithm.XxHash3, ChecksumAlgorithm.XxHash64, ChecksumAlgorithm.XxHash128, ChecksumAlgorithm.Sha256,
                     ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha512, ChecksumAlgorithm.Md5])
        {
            if (c.Get(candidate) is { } value)
            {
                (algorithm, expected) = (candidate, value);
                break;
            }
        }
        if (expected is null || expected.Contains('-', StringComparison.Ordinal))
        {
            return;
        }

        string actual = ComputeChecksum(algorithm, body);
        if (actual != expected)
        {
            throw new S3Exception(S3ClientErrorCodes.ChecksumMismatch, metadata.StatusCode,
                $"The {algorithm.GetS3Name()} of the {body.Length} bytes received is {actual}, the server's is {expected}.",
                metadata.RequestId, isRetryable: true);
        }
    }

    /// <summary>GetObject into an <see cref="IBufferWriter{T}"/> (received into the writer's memory directly).</summary>
    public async Task<ObjectMetadata> GetObjectAsync(GetObjectRequest request, IBufferWriter<byte> destination,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        S3CallResult result = await _transport.SendAsync(ReadCall(request, "GET"), new ResponseSink(destination),
            cancellationToken).ConfigureAwait(false);
        return result.Metadata!;
    }

    /// <summary>GetObject written to <paramref name="destination"/> as it arrives.</summary>
    public async Task<ObjectMetadata> GetObjectAsync(GetObjectRequest request, Stream destination,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        S3CallResult result = await _transport.SendAsync(ReadCall(request, "GET"), new ResponseSink(destination),
            cancellationToken).ConfigureAwait(false);
        return result.Metadata!;
    }

    /// <summary>GetObject of a whole object into a new array (convenience for small objects).</summary>
    public async Task<byte[]> GetObjectBytesAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var writer = new ArrayBufferWriter<byte>();
        await GetObjectAsync(new GetObjectRequest(bucket, key), writer, cancellationToken).ConfigureAwait(false);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>HeadObject: the object's metadata (NoSuchKey when absent). Range and conditions apply as for GET.</summary>
    public async Task<ObjectMetadata> HeadObjectAsync(GetObjectRequest request, CancellationToken cancellationToken = default)
    {
        S3Call call = ReadCall(request, "HEAD");
        // A HEAD answer has no body to say which is missing: with a version named, it is reported as the version.
        call.NotFoundCode = request.VersionId is null ? S3ErrorCode.NoSuchKey : S3ErrorCode.NoSuchVersion;
        S3CallResult result = await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
        return result.Metadata!;
    }

    /// <summary>HeadObject of a key.</summary>
    public Task<ObjectMetadata> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        HeadObjectAsync(new GetObjectRequest(bucket, key), cancellationToken);

    /// <summary>PutObject from memory (Content-Length = body length, one gathered write for small bodies).</summary>
    public async Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = WithLockIntegrity(request);
        PayloadSigning? mode = Options.PayloadSigning;
        ChecksumAlgorithm trailer = TrailerAlgorithm(mode, request.ChecksumAlgorithm);
        string? checksum = trailer != ChecksumAlgorithm.None ? null : WriteChecksum(request.ChecksumAlgorithm, request.ChecksumValue, body.Span);
        (S3Call call, AwsChunkedContent? chunked) = await WithUploadBodyAsync(WriteCall(request, checksum), mode, trailer,
            request.ChecksumValue, body, null, body.Length, cancellationToken).ConfigureAwait(false);
        using (chunked)
        {
            return ToPutResponse(await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// PutObject from a stream of exactly <paramref name="contentLength"/> bytes. A seekable stream is rewound for
    /// retries; a non-seekable one is not retried once read.
    /// </summary>
    public async Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, Stream body, long contentLength,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        request = WithLockIntegrity(request);
        PayloadSigning? mode = Options.PayloadSigning;
        ChecksumAlgorithm trailer = TrailerAlgorithm(mode, request.ChecksumAlgorithm);
        string? checksum = trailer != ChecksumAlgorithm.None ? null
            : await WriteChecksumAsync(request.ChecksumAlgorithm, request.ChecksumValue, body, contentLength, cancellationToken).ConfigureAwait(false);
        (S3Call call, AwsChunkedContent? chunked) = await WithUploadBodyAsync(WriteCall(request, checksum), mode, trailer,
            request.ChecksumValue, default, body, contentLength, cancellationToken).ConfigureAwait(false);
        using (chunked)
        {
            return ToPutResponse(await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>DeleteObject (succeeds for a missing key too, as S3 does).</summary>
    public async Task DeleteObjectAsync(string bucket, string key, string? versionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        string? query = versionId is null ? null : "versionId=" + Encode(versionId);
        await _transport.SendAsync(S3Call.Create("DELETE", bucket, key, query, idempotent: true), ResponseSink.Discard,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// DeleteObjects: deletes the keys in batches of <see cref="MaxDeleteBatch"/> (one request per batch, Content-MD5
    /// as S3 requires) and merges the results; per-key failures are in <see cref="DeleteResult.Errors"/>.
    /// </summary>
    public async Task<DeleteResult> DeleteObjectsAsync(string bucket, IEnumerable<string> keys, bool quiet = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(keys);
        var merged = new DeleteResult();
        foreach (string[] batch in keys.Chunk(MaxDeleteBatch))
        {
            var request = new DeleteObjectsRequest { Quiet = quiet };
            foreach (string key in batch)
            {
                request.Objects.Add(new ObjectIdentifier { Key = key });
            }

            var body = new ArrayBufferWriter<byte>();
            request.WriteTo(body);
            S3Call call = S3Call.Create("POST", bucket, null, "delete", idempotent: true);
            call.Body = body.WrittenMemory;
            call.BodyLength = body.WrittenCount;
            call.PayloadHash = Sluice.S3.Auth.SigV4PayloadHash.Sha256Hex(body.WrittenSpan);
            call.Headers = [new("content-md5", ContentMd5(body.WrittenSpan)),
                new("content-type", "application/xml")];
            DeleteResult result = await SendXmlAsync(call, DeleteResult.Read, cancellationToken).ConfigureAwait(false);
            foreach (DeletedObject d in result.Deleted)
            {
                merged.Deleted.Add(d);
            }

            foreach (DeleteError e in result.Errors)
            {
                merged.Errors.Add(e);
            }
        }

        return merged;
    }

    /// <summary>CopyObject: server-side copy with metadata COPY or REPLACE and source preconditions.</summary>
    public Task<CopyObjectResult> CopyObjectAsync(CopyObjectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        List<KeyValuePair<string, string>>? headers = [new("x-amz-copy-source", CopySource(request.SourceBucket, request.SourceKey, request.SourceVersionId))];
        AddConditions(ref headers, request.SourceConditions, "x-amz-copy-source-");
        AddConditions(ref headers, request.Conditions, "");
        AddHeader(ref headers, "x-amz-metadata-directive", request.ReplaceMetadata ? "REPLACE" : "COPY");
        if (request.ReplaceMetadata)
        {
            AddMetadata(ref headers, request.Metadata);
            AddHeader(ref headers, "content-type", request.ContentType);
            AddHeader(ref headers, "cache-control", request.CacheControl);
            AddHeader(ref headers, "content-disposition", request.ContentDisposition);
            AddHeader(ref headers, "content-encoding", request.ContentEncoding);
            AddHeader(ref headers, "content-language", request.ContentLanguage);
            AddHeader(ref headers, "expires", request.Expires);
        }

        AddHeader(ref headers, "x-amz-storage-class", request.StorageClass);
        AddAcl(ref headers, request.Acl);
        AddEncryption(ref headers, request.ServerSideEncryption, request.SseKmsKeyId, request.CustomerKey);
        AddCustomerKey(ref headers, request.SourceCustomerKey, "x-amz-copy-source-");
        if (request.Tags is not null)
        {
            AddHeader(ref headers, "x-amz-tagging-directive", "REPLACE");
            AddTags(ref headers, request.Tags);
        }

        AddObjectLock(ref headers, request.ObjectLockMode, request.ObjectLockRetainUntilDate, request.ObjectLockLegalHold);
        if (request.ChecksumAlgorithm != ChecksumAlgorithm.None)
        {
            AddHeader(ref headers, "x-amz-checksum-algorithm", request.ChecksumAlgorithm.GetS3Name());
        }
        S3Call call = S3Call.Create("PUT", request.Bucket, request.Key, null, idempotent: true);
        call.Headers = headers;
        call.BodyLength = 0;
        return CopyAsync(call, cancellationToken);
    }

    private async Task<CopyObjectResult> CopyAsync(S3Call call, CancellationToken cancellationToken)
    {
        CopyObjectResult result = await SendXmlAsync(call, CopyObjectResult.Read, cancellationToken).ConfigureAwait(false);
        result.ETag = ETag.Quote(result.ETag);
        return result;
    }

    /// <summary>Content-MD5: S3 demands it on DeleteObjects as an integrity check (not for security).</summary>
    private static string ContentMd5(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[Md5Digest.HashSizeInBytes];
        Md5Digest.HashData(body, hash);
        return Convert.ToBase64String(hash);
    }

    private static S3Call ReadCall(GetObjectRequest request, string method)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        ArgumentException.ThrowIfNullOrEmpty(request.Key);
        if (request.RangeEnd is { } end && (request.RangeStart is not { } start || end < start))
        {
            throw new ArgumentException("RangeEnd needs a RangeStart at or before it.", nameof(request));
        }

        string? query = null;
        if (request.VersionId is not null || request.PartNumber is not null || request.ResponseContentType is not null
            || request.ResponseContentDisposition is not null || request.ResponseContentEncoding is not null
            || request.ResponseContentLanguage is not null || request.ResponseCacheControl is not null
            || request.ResponseExpires is not null)
        {
            var q = new StringBuilder();
            AddQuery(q, "partNumber", request.PartNumber?.ToString(CultureInfo.InvariantCulture));
            AddQuery(q, "response-cache-control", request.ResponseCacheControl);
            AddQuery(q, "response-content-disposition", request.ResponseContentDisposition);
            AddQuery(q, "response-content-encoding", request.ResponseContentEncoding);
            AddQuery(q, "response-content-language", request.ResponseContentLanguage);
            AddQuery(q, "response-content-type", request.ResponseContentType);
            AddQuery(q, "response-expires", request.ResponseExpires);
            AddQuery(q, "versionId", request.VersionId);
            query = q.ToString();
        }

        S3Call call = S3Call.Create(method, request.Bucket, request.Key, query, idempotent: true);
        call.RangeStart = request.RangeStart ?? -1;
        call.RangeEnd = request.RangeEnd ?? -1;
        call.WantMetadata = true;
        List<KeyValuePair<string, string>>? headers = null;
        AddConditions(ref headers, request.Conditions, "");
        if (request.ChecksumMode)
        {
            AddHeader(ref headers, "x-amz-checksum-mode", "ENABLED");
        }

        AddCustomerKey(ref headers, request.CustomerKey, "x-amz-");
        call.Headers = headers;
        return call;
    }

    private static S3Call WriteCall(PutObjectRequest request, string? checksum)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        ArgumentException.ThrowIfNullOrEmpty(request.Key);
        S3Call call = S3Call.Create("PUT", request.Bucket, request.Key, null, idempotent: true);
        call.WantMetadata = true;
        List<KeyValuePair<string, string>>? headers = ContentHeaders(request);
        if (checksum is not null)
        {
            AddHeader(ref headers, request.ChecksumAlgorithm.GetHeaderName(), checksum);
        }

        call.Headers = headers;
        return call;
    }

    private static List<KeyValuePair<string, string>>? ContentHeaders(PutObjectRequest request)
    {
        List<KeyValuePair<string, string>>? headers = null;
        AddHeader(ref headers, "content-type", request.ContentType);
        AddHeader(ref headers, "content-encoding", request.ContentEncoding);
        AddHeader(ref headers, "content-disposition", request.ContentDisposition);
        AddHeader(ref headers, "content-language", request.ContentLanguage);
        AddHeader(ref headers, "cache-control", request.CacheControl);
        AddHeader(ref headers, "expires", request.Expires);
        AddHeader(ref headers, "x-amz-storage-class", request.StorageClass);
        AddMetadata(ref headers, request.Metadata);
        AddConditions(ref headers, request.Conditions, "");
        AddAcl(ref headers, request.Acl);
        AddEncryption(ref headers, request.ServerSideEncryption, request.SseKmsKeyId, request.CustomerKey);
        AddTags(ref headers, request.Tags);
        AddObjectLock(ref headers, request.ObjectLockMode, request.ObjectLockRetainUntilDate, request.ObjectLockLegalHold);
        return headers;
    }

    private static PutObjectResponse ToPutResponse(S3CallResult result)
    {
        ObjectMetadata m = result.Metadata!;
        return new PutObjectResponse(m.ETag, m.VersionId, m.Checksums, m.RequestId);
    }
}
