using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Objects;
using Sluice.S3.Ranges;
using Sluice.S3.Xml;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>
    /// CreateMultipartUpload: returns the upload id. Not idempotent (a retry would start a second upload), so it is
    /// retried only when the server certainly did not act (throttled, or the request never left) or answered with a
    /// server error (5xx); a lost answer is not retried.
    /// </summary>
    public async Task<string> CreateMultipartUploadAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        S3Call call = S3Call.Create("POST", request.Bucket, request.Key, "uploads", idempotent: false);
        call.RetryServerErrors = true;
        List<KeyValuePair<string, string>>? headers = ContentHeaders(request);
        if (request.ChecksumAlgorithm != ChecksumAlgorithm.None)
        {
            AddHeader(ref headers, "x-amz-checksum-algorithm", request.ChecksumAlgorithm.GetS3Name());
            if (request.ChecksumType is { } type)
            {
                AddHeader(ref headers, "x-amz-checksum-type", type);
            }
        }

        call.Headers = headers;
        call.BodyLength = 0;
        InitiateMultipartUploadResult result = await SendXmlAsync(call, InitiateMultipartUploadResult.Read, cancellationToken).ConfigureAwait(false);
        return result.UploadId;
    }

    /// <summary>UploadPart from memory.</summary>
    public async Task<UploadPartResponse> UploadPartAsync(UploadPartRequest request, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        PayloadSigning? mode = Options.PayloadSigning;
        ChecksumAlgorithm trailer = TrailerAlgorithm(mode, request.ChecksumAlgorithm);
        string? checksum = trailer != ChecksumAlgorithm.None ? null : WriteChecksum(request.ChecksumAlgorithm, request.ChecksumValue, body.Span);
        (S3Call call, AwsChunkedContent? chunked) = await WithUploadBodyAsync(PartCall(request, checksum), mode, trailer,
            request.ChecksumValue, body, null, body.Length, cancellationToken).ConfigureAwait(false);
        using (chunked)
        {
            return ToPartResponse(request.PartNumber, await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>UploadPart from a stream of exactly <paramref name="contentLength"/> bytes.</summary>
    public async Task<UploadPartResponse> UploadPartAsync(UploadPartRequest request, Stream body, long contentLength,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        PayloadSigning? mode = Options.PayloadSigning;
        ChecksumAlgorithm trailer = TrailerAlgorithm(mode, request.ChecksumAlgorithm);
        string? checksum = trailer != ChecksumAlgorithm.None ? null
            : await WriteChecksumAsync(request.ChecksumAlgorithm, request.ChecksumValue, body, contentLength, cancellationToken).ConfigureAwait(false);
        (S3Call call, AwsChunkedContent? chunked) = await WithUploadBodyAsync(PartCall(request, checksum), mode, trailer,
            request.ChecksumValue, default, body, contentLength, cancellationToken).ConfigureAwait(false);
        using (chunked)
        {
            return ToPartResponse(request.PartNumber, await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>UploadPartCopy: a part copied server-side from (a byte range of) another object.</summary>
    public async Task<UploadPartResponse> UploadPartCopyAsync(UploadPartCopyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        List<KeyValuePair<string, string>>? headers = [new("x-amz-copy-source", CopySource(request.SourceBucket, request.SourceKey, request.SourceVersionId))];
        if (request.SourceRangeStart is { } first)
        {
            long last = request.SourceRangeEnd ?? throw new ArgumentException("A copy-source range needs its end.", nameof(request));
            Span<byte> range = stackalloc byte[RangeHeader.MaxLength];
            RangeHeader.TryFormat(first, last, range, out int n);
            AddHeader(ref headers, "x-amz-copy-source-range", Encoding.ASCII.GetString(range[..n]));
        }

        AddConditions(ref headers, request.SourceConditions, "x-amz-copy-source-");
        AddCustomerKey(ref headers, request.CustomerKey, "x-amz-");
        AddCustomerKey(ref headers, request.SourceCustomerKey, "x-amz-copy-source-");
        S3Call call = S3Call.Create("PUT", request.Bucket, request.Key, PartQuery(request.PartNumber, request.UploadId), idempotent: true);
        call.Headers = headers;
        call.BodyLength = 0;
        CopyPartResult result = await SendXmlAsync(call, CopyPartResult.Read, cancellationToken).ConfigureAwait(false);
        return new UploadPartResponse(request.PartNumber, ETag.Quote(result.ETag), result.Checksums);
    }

    /// <summary>
    /// CompleteMultipartUpload with the parts in ascending part-number order. A 200 carrying an Error document (S3 may
    /// answer so after a long assembly) is an <see cref="S3Exception"/>. A NoSuchUpload answer (typically a retry after
    /// the connection was lost once the server had completed the upload) is confirmed with HeadObject: when the key now
    /// holds an object whose ETag is the multipart ETag of exactly these parts, the completion succeeded and its result
    /// is returned; otherwise the NoSuchUpload <see cref="S3Exception"/> stands.
    /// </summary>
    public async Task<CompleteMultipartUploadResult> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IEnumerable<CompletedPart> parts, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentNullException.ThrowIfNull(parts);
        var document = new CompleteMultipartUpload();
        foreach (CompletedPart part in parts.OrderBy(p => p.PartNumber))
        {
            document.Parts.Add(part);
        }

        var body = new ArrayBufferWriter<byte>();
        document.WriteTo(body);
        // Idempotent in effect: the same part list assembles the same object; a retry after an unseen success
        // answers NoSuchUpload, which callers can confirm with HeadObject.
        S3Call call = S3Call.Create("POST", bucket, key, "uploadId=" + Encode(uploadId), idempotent: true);
        call.Body = body.WrittenMemory;
        call.BodyLength = body.WrittenCount;
        call.PayloadHash = Sluice.S3.Auth.SigV4PayloadHash.Sha256Hex(body.WrittenSpan);
        call.Headers = [new("content-type", "application/xml")];
        try
        {
            return await SendXmlAsync(call, CompleteMultipartUploadResult.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (S3Exception e) when (e.Code == S3ErrorCode.NoSuchUpload)
        {
            CompleteMultipartUploadResult? done = await ConfirmCompletedAsync(bucket, key, document.Parts, cancellationToken).ConfigureAwait(false);
            if (done is null)
            {
                throw;
            }

            return done;
        }
    }

    /// <summary>
    /// After NoSuchUpload: the result of the completion when <paramref name="key"/> holds the object these parts
    /// assemble (its ETag is MD5 over the parts' MD5s, "-" and the part count), else null. Parts whose ETags are not
    /// plain MD5s (SSE-KMS, some gateways) cannot be matched, so nothing is confirmed then.
    /// </summary>
    private async Task<CompleteMultipartUploadResult?> ConfirmCompletedAsync(string bucket, string key, IList<CompletedPart> parts,
        CancellationToken cancellationToken)
    {
        string? expected = MultipartETagOf(parts);
        if (expected is null)
        {
            return null;
        }

        ObjectMetadata head;
        try
        {
            head = await HeadObjectAsync(new GetObjectRequest(bucket, key) { ChecksumMode = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (S3Exception)
        {
            return null; // no object (404), or it cannot be checked now: the NoSuchUpload answer stands
        }

        if (head.ETag is null || !ETag.Unquote(head.ETag).Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var result = new CompleteMultipartUploadResult { Bucket = bucket, Key = key, ETag = head.ETag };
        head.Checksums.CopyTo(result.Checksums);
        return result;
    }

    /// <summary>The multipart ETag (unquoted) of parts listed in order, or null when a part's ETag is not an MD5.</summary>
    internal static string? MultipartETagOf(IList<CompletedPart> parts)
    {
        if (parts.Count == 0)
        {
            return null;
        }

        using var etag = new MultipartETag();
        foreach (CompletedPart part in parts)
        {
            if (!etag.TryAddPart(part.ETag))
            {
                return null;
            }
        }

        return etag.FormatUnquoted();
    }

    /// <summary>CompleteMultipartUpload from UploadPart responses.</summary>
    public Task<CompleteMultipartUploadResult> CompleteMultipartUploadAsync(string bucket, string key, string uploadId,
        IEnumerable<UploadPartResponse> parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return CompleteMultipartUploadAsync(bucket, key, uploadId, parts.Select(p => p.ToCompletedPart()), cancellationToken);
    }

    /// <summary>AbortMultipartUpload: discards the upload and its parts.</summary>
    public async Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        await _transport.SendAsync(S3Call.Create("DELETE", bucket, key, "uploadId=" + Encode(uploadId), idempotent: true),
            ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One ListParts page after <paramref name="partNumberMarker"/>.</summary>
    public Task<ListPartsResult> ListPartsPageAsync(string bucket, string key, string uploadId, int partNumberMarker = 0,
        int? maxParts = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        var q = new StringBuilder();
        AddQuery(q, "max-parts", maxParts?.ToString(CultureInfo.InvariantCulture));
        AddQuery(q, "part-number-marker", partNumberMarker > 0 ? partNumberMarker.ToString(CultureInfo.InvariantCulture) : null);
        AddQuery(q, "uploadId", uploadId);
        return SendXmlAsync(S3Call.Create("GET", bucket, key, q.ToString(), idempotent: true), ListPartsResult.Read, cancellationToken);
    }

    /// <summary>Every part of an upload, following part-number markers.</summary>
    public async IAsyncEnumerable<ListedPart> ListPartsAsync(string bucket, string key, string uploadId,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int marker = 0;
        while (true)
        {
            ListPartsResult page = await ListPartsPageAsync(bucket, key, uploadId, marker, null, cancellationToken).ConfigureAwait(false);
            foreach (ListedPart part in page.Parts)
            {
                yield return part;
            }

            if (!page.IsTruncated || page.NextPartNumberMarker is not { } next || next <= marker)
            {
                yield break;
            }

            marker = next;
        }
    }

    /// <summary>One ListMultipartUploads page.</summary>
    public Task<ListMultipartUploadsResult> ListMultipartUploadsPageAsync(string bucket, string? prefix = null,
        string? keyMarker = null, string? uploadIdMarker = null, string? delimiter = null, int? maxUploads = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        var q = new StringBuilder("uploads");
        AddQuery(q, "delimiter", delimiter);
        AddQuery(q, "encoding-type", "url");
        AddQuery(q, "key-marker", keyMarker);
        AddQuery(q, "max-uploads", maxUploads?.ToString(CultureInfo.InvariantCulture));
        AddQuery(q, "prefix", prefix);
        AddQuery(q, "upload-id-marker", keyMarker is null ? null : uploadIdMarker);
        return SendXmlAsync(S3Call.Create("GET", bucket, null, q.ToString(), idempotent: true),
            ListMultipartUploadsResult.Read, cancellationToken);
    }

    /// <summary>Every multipart upload in progress under <paramref name="prefix"/>.</summary>
    public async IAsyncEnumerable<ListedUpload> ListMultipartUploadsAsync(string bucket, string? prefix = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? keyMarker = null, uploadMarker = null;
        while (true)
        {
            ListMultipartUploadsResult page = await ListMultipartUploadsPageAsync(bucket, prefix, keyMarker, uploadMarker,
                null, null, cancellationToken).ConfigureAwait(false);
            foreach (ListedUpload upload in page.Uploads)
            {
                yield return upload;
            }

            if (!page.IsTruncated || page.NextKeyMarker is null)
            {
                yield break;
            }

            keyMarker = page.NextKeyMarker;
            uploadMarker = page.NextUploadIdMarker;
        }
    }

    private static string PartQuery(int partNumber, string uploadId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        return string.Create(CultureInfo.InvariantCulture, $"partNumber={partNumber}&uploadId={Encode(uploadId)}");
    }

    private static S3Call PartCall(UploadPartRequest request, string? checksum)
    {
        S3Call call = S3Call.Create("PUT", request.Bucket, request.Key, PartQuery(request.PartNumber, request.UploadId), idempotent: true);
        call.WantMetadata = true;
        List<KeyValuePair<string, string>>? headers = null;
        if (checksum is not null)
        {
            AddHeader(ref headers, request.ChecksumAlgorithm.GetHeaderName(), checksum);
        }

        if (request.ContentMd5 is { } md5)
        {
            AddHeader(ref headers, "content-md5", md5);
        }

        AddCustomerKey(ref headers, request.CustomerKey, "x-amz-");
        call.Headers = headers;
        return call;
    }

    private static UploadPartResponse ToPartResponse(int partNumber, S3CallResult result)
    {
        ObjectMetadata m = result.Metadata!;
        return new UploadPartResponse(partNumber, m.ETag ?? throw new S3Exception(S3ClientErrorCodes.MalformedResponse,
            result.Status, "UploadPart answered without an ETag.", isRetryable: false), m.Checksums);
    }
}
