using System.Buffers;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Ranges;
using Sluice.S3.Xml;
using Sluice.Server.Auth;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Routing;
using Sluice.Server.Service;
using Sluice.Server.Storage;
using StoredPart = Sluice.Server.Storage.CompletedPart;

namespace Sluice.Server.Handlers;

public sealed partial class S3RequestHandler
{
    /// <summary>S3's largest part (5 GiB).</summary>
    private const long MaxPartSize = 5L << 30;

    internal async ValueTask CreateMultipartUploadAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var attributes = WithRequestAcl(x, c, ReadWriteAttributes(x));
        string? named = ObjectHeaders.Get(x, KnownHeader.XAmzChecksumAlgorithm);
        var algorithm = ChecksumAlgorithm.None;
        if (named != null && !ChecksumAlgorithmExtensions.TryParse(named.Trim().AsSpan(), out algorithm))
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidRequest, "Invalid x-amz-checksum-algorithm."));
        string? type = ObjectHeaders.Get(x, KnownHeader.XAmzChecksumType)?.Trim();
        if (type != null && MultipartAssembly.CheckChecksumType(algorithm, type) is { } wrongType)
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidRequest, wrongType));
        var sse = await ReadWriteEncryptionAsync(x, bucket);
        if (sse != null) attributes = attributes with { Encryption = sse.Template };
        // The lock (headers, else the bucket's default, dated from now: the upload's initiation) is stored with the
        // upload and given to the version CompleteMultipartUpload publishes.
        if (await ReadObjectLockWriteAsync(x, bucket, integrity: false) is { } lockWrite) attributes = lockWrite.Apply(attributes);
        var upload = await _objects.CreateMultipartUploadAsync(bucket, key, attributes, algorithm, type);
        var result = new InitiateMultipartUploadResult { Bucket = bucket, Key = key, UploadId = upload.UploadId };
        var body = new ArrayBufferWriter<byte>(512);
        result.WriteTo(body);
        x.SetStatus(200);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        if (algorithm != ChecksumAlgorithm.None)
        {
            AddHeader(x, KnownHeader.XAmzChecksumAlgorithm, algorithm.GetS3Name());
            AddHeader(x, KnownHeader.XAmzChecksumType, MultipartAssembly.ChecksumTypeOf(upload));
        }
        if (sse != null) AddSseHeaders(x, sse.Template, write: true);
        await x.SendAsync(body.WrittenMemory);
    }

    internal async ValueTask UploadPartAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string uploadId = c.Route.Query.GetString(S3QueryParameter.UploadId) ?? string.Empty;
        int partNumber = c.Route.Query.PartNumber;
        CheckUploadLength(x, auth, MaxPartSize);
        if (!ObjectHeaders.TryGetChecksum(x, out var algorithm, out string? checksumHeader, out bool inTrailer))
            ThrowProblem(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header.");
        string? contentMd5 = ObjectHeaders.Get(x, KnownHeader.ContentMD5);
        CheckContentMd5Syntax(contentMd5);
        if (c.Placement != PlacementAction.None) CheckPlacedWrite(x, c, checksumHeader, inTrailer);

        c.Payload.Reset(x, auth);
        PartInfo part;
        ObjectEncryption? encryption;
        await using (var writer = await _objects.BeginUploadPartAsync(bucket, key, uploadId, partNumber))
        {
            encryption = writer.Upload.Attributes.Encryption;
            if (encryption != null)
            {
                if (c.Placement != PlacementAction.None) throw PlacementDeclined(x); // encrypted parts take the HTTP path
                part = await UploadEncryptedPartAsync(x, c, writer, encryption, algorithm, checksumHeader, inTrailer, contentMd5);
                algorithm = writer.ChecksumAlgorithm;
            }
            else
            {
                if (HasHeaderPrefix(x, CustomerPrefix))
                    ThrowProblem(S3ErrorCode.InvalidRequest, "The multipart upload initiate did not request encryption with a customer-provided key.");
                // A checksum other than the upload's is verified here; the upload's own is verified by the writer.
                using var extra = algorithm != ChecksumAlgorithm.None && algorithm != writer.ChecksumAlgorithm
                    ? new S3Checksum(algorithm) : null;
                if (c.Placement == PlacementAction.Place) await PullPartAsync(x, writer, extra);
                else await _objects.WriteBodyAsync(c.Payload, x.Request.ContentLength, writer, extra);
                string? expected = checksumHeader ?? (inTrailer ? ObjectHeaders.FindTrailer(c.Payload.Trailers, algorithm) : null);
                if (extra != null && expected != null && !MatchesBase64(extra, expected))
                {
                    await writer.AbortAsync();
                    ThrowProblem(S3ErrorCode.BadDigest, $"The {algorithm.GetHeaderName()} you specified did not match the calculated checksum.");
                }
                part = await writer.CommitAsync(contentMd5, extra == null ? expected : null);
                if (extra == null && writer.ChecksumAlgorithm != ChecksumAlgorithm.None) algorithm = writer.ChecksumAlgorithm;
            }
        }
        x.SetStatus(200);
        if (c.Placement == PlacementAction.Place) x.AddHeader(KnownHeader.XAmzRdmaReply, "200"u8);
        AddHeader(x, KnownHeader.ETag, part.ETag);
        if (encryption != null) AddSseHeaders(x, encryption);
        if (part.Checksum != null && algorithm != ChecksumAlgorithm.None)
            x.AddHeader(algorithm.GetHeaderNameUtf8(), Encoding.ASCII.GetBytes(part.Checksum));
        await x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>
    /// UploadPartCopy: the source version (or x-amz-copy-source-range of it) becomes a part, after the copy-source
    /// conditions. The bytes go through a pooled buffer (positional reads into the part writer, which hashes them).
    /// </summary>
    internal async ValueTask UploadPartCopyAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string uploadId = c.Route.Query.GetString(S3QueryParameter.UploadId) ?? string.Empty;
        int partNumber = c.Route.Query.PartNumber;
        ParseCopySource(x, out string sourceBucket, out string sourceKey, out string? sourceVersionId);
        var upload = await _objects.GetMultipartUploadAsync(bucket, key, uploadId);
        var sourceAccess = await SourceAccessAsync(sourceBucket);
        CheckSourceOwner(x, sourceAccess, sourceBucket);
        await using var reader = await OpenCopySourceAsync(sourceBucket, sourceKey, sourceVersionId);
        AuthorizeCopySource(x, c, sourceAccess, sourceBucket, sourceKey, sourceVersionId, reader.Metadata);
        if (upload.Attributes.Encryption != null || reader.Metadata.Attributes.Encryption != null
            || HasHeaderPrefix(x, CopySourceCustomerPrefix) || HasHeaderPrefix(x, CustomerPrefix))
        {
            var copied = await UploadPartCopyEncryptedAsync(x, c, reader, sourceBucket, sourceKey);
            var copyResult = new CopyPartResult { LastModified = copied.LastModified, ETag = copied.ETag };
            var copyBody = new ArrayBufferWriter<byte>(256);
            copyResult.WriteTo(copyBody);
            await SendVersionedXmlAsync(x, copyBody, null, reader.Metadata.VersionIdHeader, upload.Attributes.Encryption);
            return;
        }
        CheckCopySourceConditions(x, reader.Metadata);
        var range = CopyRange(x, reader.Length);
        if (range.Length > MaxPartSize) ThrowProblem(S3ErrorCode.EntityTooLarge);

        PartInfo part;
        await using (var writer = await _objects.BeginUploadPartAsync(bucket, key, uploadId, partNumber))
        {
            await ObjectService.CopyRangeAsync(reader, range.Offset, range.Length, writer);
            part = await writer.CommitAsync();
        }
        var result = new CopyPartResult { LastModified = part.LastModified, ETag = part.ETag };
        var body = new ArrayBufferWriter<byte>(256);
        result.WriteTo(body);
        await SendVersionedXmlAsync(x, body, null, reader.Metadata.VersionIdHeader);
    }

    /// <summary>A copy source version open for reading; a delete marker named by id is InvalidRequest, as S3 answers.</summary>
    private async ValueTask<IObjectReader> OpenCopySourceAsync(string bucket, string key, string? versionId)
    {
        try
        {
            return await _objects.OpenReadAsync(bucket, key, versionId);
        }
        catch (S3StorageException e) when (e.Code == S3ErrorCode.MethodNotAllowed)
        {
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidRequest,
                "The source of a copy request may not specifically refer to a delete marker by version id."));
        }
    }

    private static ByteRange CopyRange(S3Exchange x, long sourceLength)
    {
        var value = x.Request.Headers.GetValue(KnownHeader.XAmzCopySourceRange, x.HeadBytes.Span);
        if (value.IsEmpty) return new ByteRange(0, sourceLength);
        var problem = CopySourceRange.Parse(value, sourceLength, out var range);
        if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        return range;
    }

    private static bool MatchesBase64(S3Checksum digest, string expected)
    {
        Span<char> actual = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
        digest.TryFormatBase64(actual, out int n);
        return actual[..n].SequenceEqual(expected.AsSpan().Trim());
    }

    internal async ValueTask CompleteMultipartUploadAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string uploadId = c.Route.Query.GetString(S3QueryParameter.UploadId) ?? string.Empty;
        var condition = ReadWriteCondition(x);
        byte[] xml = await ReadSmallPayloadAsync(x, c.Payload, auth);
        var request = CompleteMultipartUpload.Read(xml);
        if (!request.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, request.Detail);
        var parts = new List<StoredPart>(request.Value!.Parts.Count);
        foreach (var p in request.Value.Parts)
            parts.Add(new StoredPart(p.PartNumber, p.ETag, FirstChecksum(p.Checksums)));

        var metadata = await _objects.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, condition, ReadCompleteChecks(x));

        var result = new CompleteMultipartUploadResult
        {
            Location = "/" + bucket + "/" + key,
            Bucket = bucket,
            Key = key,
            ETag = metadata.ETag,
        };
        SetChecksum(result.Checksums, metadata.ChecksumAlgorithm, metadata.Checksum);
        if (metadata.Checksum != null) result.Checksums.ChecksumType = metadata.ChecksumType;
        var body = new ArrayBufferWriter<byte>(512);
        result.WriteTo(body);
        await SendWrittenXmlAsync(x, c, body, metadata); // with its expiry, as S3 tells a PUT
    }

    /// <summary>What Complete asserts about the whole object in its headers (null when nothing); a malformed size or
    /// two checksums are InvalidRequest / InvalidArgument, never ignored.</summary>
    private static CompleteChecks? ReadCompleteChecks(S3Exchange x)
    {
        if (!ObjectHeaders.TryGetChecksum(x, out var algorithm, out string? checksum, out _))
            ThrowProblem(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header.");
        string? type = ObjectHeaders.Get(x, KnownHeader.XAmzChecksumType)?.Trim();
        long? size = null;
        string? sizeHeader = FindHeader(x, "x-amz-mp-object-size");
        if (sizeHeader != null)
        {
            if (!long.TryParse(sizeHeader.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
                throw new S3RequestException(S3Problem.InvalidArgument("Invalid value for x-amz-mp-object-size.", "x-amz-mp-object-size", sizeHeader).ToError());
            size = n;
        }
        return checksum == null && type == null && size == null ? null : new CompleteChecks(algorithm, checksum, type, size);
    }

    private static string? FirstChecksum(ObjectChecksums c) => c.First().Value;

    internal async ValueTask AbortMultipartUploadAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string uploadId = c.Route.Query.GetString(S3QueryParameter.UploadId) ?? string.Empty;
        await _objects.AbortMultipartUploadAsync(bucket, key, uploadId);
        await SendEmptyAsync(x, 204);
    }

    internal async ValueTask ListPartsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var q = c.Route.Query;
        string uploadId = q.GetString(S3QueryParameter.UploadId) ?? string.Empty;
        var upload = await _objects.GetMultipartUploadAsync(bucket, key, uploadId);
        var parts = await _objects.ListPartsAsync(bucket, key, uploadId);
        int maxParts = Math.Min(q.MaxParts, S3Query.MaxPageSize);
        var result = new ListPartsResult
        {
            Bucket = bucket,
            Key = key,
            UploadId = uploadId,
            Initiator = UploaderOf(c, upload.Attributes),
            Owner = UploaderOf(c, upload.Attributes),
            StorageClass = upload.Attributes.StorageClass ?? "STANDARD",
            PartNumberMarker = q.PartNumberMarker,
            MaxParts = q.MaxParts,
            ChecksumAlgorithm = upload.ChecksumAlgorithm == ChecksumAlgorithm.None ? null : upload.ChecksumAlgorithm.GetS3Name(),
        };
        int last = 0;
        foreach (var part in parts)
        {
            if (part.PartNumber <= q.PartNumberMarker) continue;
            if (result.Parts.Count == maxParts)
            {
                result.IsTruncated = true;
                break;
            }
            long size = upload.Attributes.Encryption is { } e ? EncryptedLayout.PlainLength(part.Size, e.ChunkSize) : part.Size;
            var listed = new ListedPart { PartNumber = part.PartNumber, LastModified = part.LastModified, ETag = part.ETag, Size = size };
            SetChecksum(listed.Checksums, upload.ChecksumAlgorithm, part.Checksum);
            result.Parts.Add(listed);
            last = part.PartNumber;
        }
        if (result.IsTruncated) result.NextPartNumberMarker = last;
        var body = new ArrayBufferWriter<byte>(512 + (result.Parts.Count * 256));
        result.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    internal async ValueTask ListMultipartUploadsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        var q = c.Route.Query;
        var uploads = await _objects.ListMultipartUploadsAsync(bucket);
        string prefix = q.GetString(S3QueryParameter.Prefix) ?? string.Empty;
        string? delimiter = q.GetString(S3QueryParameter.Delimiter);
        string keyMarker = q.GetString(S3QueryParameter.KeyMarker) ?? string.Empty;
        string uploadIdMarker = q.GetString(S3QueryParameter.UploadIdMarker) ?? string.Empty;
        int max = Math.Min(q.MaxUploads, S3Query.MaxPageSize);
        var result = new ListMultipartUploadsResult
        {
            Bucket = bucket,
            KeyMarker = keyMarker,
            UploadIdMarker = uploadIdMarker,
            Prefix = prefix,
            Delimiter = string.IsNullOrEmpty(delimiter) ? null : delimiter,
            EncodingType = q.UrlEncoded ? "url" : null,
            MaxUploads = q.MaxUploads,
        };
        // Uploads are in (key, initiation) order; a marker pair resumes right after that upload.
        bool afterMarker = keyMarker.Length == 0;
        string? lastKey = null, lastUploadId = null;
        foreach (var u in uploads)
        {
            if (!afterMarker)
            {
                int byKey = string.CompareOrdinal(u.Key, keyMarker);
                if (byKey < 0) continue;
                if (byKey == 0)
                {
                    if (uploadIdMarker.Length == 0) continue;
                    if (u.UploadId == uploadIdMarker) afterMarker = true;
                    continue;
                }
                afterMarker = true;
            }
            if (!u.Key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string? common = null;
            if (!string.IsNullOrEmpty(delimiter))
            {
                int at = u.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (at >= 0) common = u.Key[..(at + delimiter.Length)];
            }
            if (common != null && result.CommonPrefixes.Count > 0 && result.CommonPrefixes[^1] == common) continue;
            if (result.Uploads.Count + result.CommonPrefixes.Count == max)
            {
                result.IsTruncated = true;
                break;
            }
            if (common != null)
            {
                result.CommonPrefixes.Add(common);
                lastKey = common;
                lastUploadId = null;
                continue;
            }
            result.Uploads.Add(new ListedUpload
            {
                Key = u.Key,
                UploadId = u.UploadId,
                Initiator = UploaderOf(c, u.Attributes),
                Owner = UploaderOf(c, u.Attributes),
                StorageClass = u.Attributes.StorageClass ?? "STANDARD",
                Initiated = u.Initiated,
                ChecksumAlgorithm = u.ChecksumAlgorithm == ChecksumAlgorithm.None ? null : u.ChecksumAlgorithm.GetS3Name(),
            });
            lastKey = u.Key;
            lastUploadId = u.UploadId;
        }
        if (result.IsTruncated)
        {
            result.NextKeyMarker = lastKey;
            result.NextUploadIdMarker = lastUploadId;
        }
        var body = new ArrayBufferWriter<byte>(512 + (result.Uploads.Count * 256));
        result.WriteTo(body);
        await SendXmlAsync(x, body);
    }
}
