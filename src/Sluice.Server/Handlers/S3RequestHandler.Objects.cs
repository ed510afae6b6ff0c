using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.IO.Buffers;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Conditions;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Naming;
using Sluice.S3.Ranges;
using Sluice.S3.Tagging;
using Sluice.S3.Xml;
using Sluice.Server.Auth;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Index;
using Sluice.Server.Routing;
using Sluice.Server.Semantics;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

public sealed partial class S3RequestHandler
{
    private static readonly HashSet<string> StorageClasses = new(StringComparer.Ordinal)
    {
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
        "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
    };

    // ---------------------------------------------------------------- PutObject

    internal async ValueTask PutObjectAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        CheckUploadLength(x, auth, MaxPutSize);
        var attributes = WithRequestAcl(x, c, ReadWriteAttributes(x));
        if (await ReadObjectLockWriteAsync(x, bucket, integrity: true) is { } lockWrite) attributes = lockWrite.Apply(attributes);
        var condition = ReadWriteCondition(x);
        if (!ObjectHeaders.TryGetChecksum(x, out var algorithm, out string? checksumHeader, out bool inTrailer))
            ThrowProblem(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header.");
        string? contentMd5 = ObjectHeaders.Get(x, KnownHeader.ContentMD5);
        CheckContentMd5Syntax(contentMd5);
        var index = await _objects.GetKeyIndexAsync(bucket);
        // Create-only against a key that exists: refuse before receiving the body (the store re-checks atomically).
        if (condition?.IfNoneMatch == "*" && index.TryGet(c.Route.Key, out _))
            ThrowProblem(S3ErrorCode.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
        if (c.Placement != PlacementAction.None)
        {
            await PutPlacedAsync(x, c, bucket, key, attributes, condition, algorithm, checksumHeader, inTrailer, contentMd5);
            return;
        }
        if (await ReadWriteEncryptionAsync(x, bucket) is { } sse)
        {
            await PutEncryptedAsync(x, c, auth, sse, attributes, condition, algorithm, checksumHeader, inTrailer, contentMd5);
            return;
        }

        c.Payload.Reset(x, auth);
        ObjectMetadata metadata;
        await using (var writer = await _objects.BeginPutAsync(bucket, key, algorithm))
        {
            await _objects.WriteBodyAsync(c.Payload, x.Request.ContentLength, writer);
            string? expected = checksumHeader ?? (inTrailer ? ObjectHeaders.FindTrailer(c.Payload.Trailers, algorithm) : null);
            metadata = await ObjectService.PutAsync(writer, attributes, contentMd5, expected, condition);
        }
        x.SetStatus(200);
        AddHeader(x, KnownHeader.ETag, metadata.ETag);
        AddChecksumHeaders(x, metadata);
        AddVersionHeader(x, metadata);
        AddExpirationHeader(x, c, metadata);
        await x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>MissingContentLength without a length; EntityTooLarge past <paramref name="limit"/>.</summary>
    private static void CheckUploadLength(S3Exchange x, SigV4AuthResult auth, long limit)
    {
        long length = x.Request.ContentLength;
        string? decoded = ObjectHeaders.Get(x, KnownHeader.XAmzDecodedContentLength);
        if (decoded != null && long.TryParse(decoded, System.Globalization.NumberStyles.None, null, out long d)) length = d;
        if (length < 0 && !x.Request.IsChunked)
            ThrowProblem(S3ErrorCode.MissingContentLength);
        if (length > limit)
            throw new S3RequestException(new S3Error(S3ErrorCode.EntityTooLarge)
                .WithDetail("ProposedSize", length.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithDetail("MaxSizeAllowed", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _ = auth;
    }

    private static void CheckContentMd5Syntax(string? contentMd5)
    {
        if (contentMd5 == null) return;
        Span<byte> md5 = stackalloc byte[18];
        if (!Convert.TryFromBase64String(contentMd5.Trim(), md5, out int n) || n != 16)
            ThrowProblem(S3ErrorCode.InvalidDigest);
    }

    private static ObjectAttributes ReadWriteAttributes(S3Exchange x)
    {
        var attributes = ObjectHeaders.ReadAttributes(x);
        if (attributes.StorageClass != null && !StorageClasses.Contains(attributes.StorageClass))
            ThrowProblem(S3ErrorCode.InvalidStorageClass);
        var tags = ReadTaggingHeader(x);
        return tags.Count == 0 ? attributes : attributes with { Tags = tags };
    }

    /// <summary>The x-amz-tagging header's tag set (empty without one); InvalidTag / InvalidArgument as S3 refuses it.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> ReadTaggingHeader(S3Exchange x)
    {
        string? header = ObjectHeaders.Get(x, KnownHeader.XAmzTagging);
        if (header == null) return [];
        var problem = TagRules.TryParseHeader(header, out var tags);
        if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        return tags;
    }

    /// <summary>If-Match / If-None-Match on a write; S3 takes only "*" in If-None-Match there.</summary>
    private static WriteCondition? ReadWriteCondition(S3Exchange x)
    {
        string? ifMatch = ObjectHeaders.Get(x, KnownHeader.IfMatch)?.Trim();
        string? ifNoneMatch = ObjectHeaders.Get(x, KnownHeader.IfNoneMatch)?.Trim();
        if (ifNoneMatch != null && ifNoneMatch != "*")
            ThrowProblem(S3ErrorCode.NotImplemented, "If-None-Match on a write takes only '*'.");
        return ifMatch == null && ifNoneMatch == null ? null : new WriteCondition(ifMatch, ifNoneMatch);
    }

    private static void AddChecksumHeaders(S3Exchange x, ObjectMetadata metadata)
    {
        if (metadata.Checksum == null || metadata.ChecksumAlgorithm == ChecksumAlgorithm.None) return;
        x.AddHeader(metadata.ChecksumAlgorithm.GetHeaderNameUtf8(), Encoding.ASCII.GetBytes(metadata.Checksum));
        AddHeader(x, KnownHeader.XAmzChecksumType, metadata.ChecksumType);
    }

    // ---------------------------------------------------------------- GetObject / HeadObject

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask GetObjectAsync(S3Exchange x, RequestContext c, bool head)
    {
        // SSE-S3 and SSE-KMS are the server's to apply: a read that declares them is refused, as S3 does (only SSE-C's
        // key is presented on reads).
        if (x.Request.Headers.TryGet(KnownHeader.XAmzServerSideEncryption, out _))
            ThrowProblem(S3ErrorCode.InvalidArgument, "x-amz-server-side-encryption header is not supported for this operation.");
        if (c.Route.Query.PartNumber > 0)
        {
            await GetObjectPartAsync(x, c, head);
            return;
        }
        if (c.Route.Query.Has(S3QueryParameter.VersionId))
        {
            await GetObjectVersionAsync(x, c, head);
            return;
        }
        // A hot small object comes from the store's open-object cache with no allocation and no system call; otherwise
        // HEAD reads the header alone (a multipart object's part files are opened only to send them).
        if (!_objects.TryOpenCached(c.Route.Bucket, c.Route.Key, out var cached) && !head)
            cached = await _objects.OpenReadAsync(c.Route.GetBucketString(), c.Route.GetKeyString());
        await using var reader = cached;
        var metadata = reader?.Metadata ?? await _objects.HeadAsync(c.Route.GetBucketString(), c.Route.GetKeyString());
        AuthorizeObject(x, c, metadata); // the object's ACL is stored with it: judged now that it is known
        if (!_objects.TryCountRead(c.Route.Bucket, c.Route.Key))
            (await _objects.GetKeyIndexAsync(c.Route.GetBucketString())).CountRead(c.Route.Key);
        if (metadata.Attributes.Encryption != null)
        {
            await GetEncryptedAsync(x, c, head, reader, metadata);
            return;
        }
        if (HasCustomerKeyHeaders(x)) ThrowProblem(S3ErrorCode.InvalidRequest, "The encryption parameters are not applicable to this object.");
        var outcome = PrepareRead(x, c.Route.Query, metadata, out var range);
        if (outcome == ReadOutcome.Send) AddExpirationHeader(x, c, metadata);
        await AnswerReadAsync(x, c, outcome, metadata.Size, range, reader, head);
    }

    /// <summary>GET/HEAD ?versionId=: that version (404 NoSuchVersion, 405 for a delete marker), never from the cache.</summary>
    private async ValueTask GetObjectVersionAsync(S3Exchange x, RequestContext c, bool head)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string? versionId = VersionIdOf(c);
        await using var reader = head ? null : await _objects.OpenReadAsync(bucket, key, versionId);
        var metadata = reader?.Metadata ?? await _objects.HeadAsync(bucket, key, versionId);
        AuthorizeObject(x, c, metadata);
        (await _objects.GetKeyIndexAsync(bucket)).CountRead(c.Route.Key);
        if (metadata.Attributes.Encryption != null)
        {
            await GetEncryptedAsync(x, c, head, reader, metadata);
            return;
        }
        if (HasCustomerKeyHeaders(x)) ThrowProblem(S3ErrorCode.InvalidRequest, "The encryption parameters are not applicable to this object.");
        var outcome = PrepareRead(x, c.Route.Query, metadata, out var range);
        await AnswerReadAsync(x, c, outcome, metadata.Size, range, reader, head);
    }

    /// <summary>Sends what <see cref="PrepareRead"/> decided: 304, 412, 416, or the head and the range's bytes
    /// (the head alone for HEAD, an empty range, or no open reader).</summary>
    private ValueTask AnswerReadAsync(S3Exchange x, RequestContext c, ReadOutcome outcome, long size, ByteRange range,
        IObjectReader? reader, bool head) => outcome switch
    {
        ReadOutcome.NotModified => x.SendHeadAsync(0),
        ReadOutcome.PreconditionFailed => x.SendErrorAsync(new S3Error(S3ErrorCode.PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold") { Resource = c.Route.GetResource() }
            .WithDetail("Condition", "If-Match")),
        ReadOutcome.Unsatisfiable => SendInvalidRangeAsync(x, c.Route.GetResource(), size),
        _ when c.Placement != PlacementAction.None && !head && reader != null => PlaceReadAsync(x, c, reader, range),
        _ => head || reader == null || range.Length == 0 ? x.SendHeadAsync(range.Length) : reader.SendAsync(x, range.Offset, range.Length),
    };

    private enum ReadOutcome { Send, NotModified, PreconditionFailed, Unsatisfiable }

    private static ValueTask SendInvalidRangeAsync(S3Exchange x, string resource, long size)
    {
        var head = x.HeadBytes.Span;
        var problem = S3Problem.InvalidRange(x.Request.Headers.GetValue(KnownHeader.Range, head), size);
        Span<byte> contentRange = stackalloc byte[ContentRange.MaxLength];
        ContentRange.TryFormatUnsatisfied(size, contentRange, out int n);
        return x.SendErrorAsync(problem.ToError(resource), contentRange[..n]);
    }

    /// <summary>Evaluates conditions and Range and, unless the answer is an error, starts the response head.</summary>
    private static ReadOutcome PrepareRead(S3Exchange x, S3Query query, ObjectMetadata m, out ByteRange range,
        ByteRange? part = null, int partsCount = 0)
    {
        var head = x.HeadBytes.Span;
        var headers = x.Request.Headers;
        range = new ByteRange(0, m.Size);
        Span<byte> etag = stackalloc byte[64];
        int etagLength = Encoding.ASCII.GetBytes(m.ETag, etag);
        var conditions = ConditionalHeaders.FromRequest(headers, head);
        if (!conditions.IsEmpty)
        {
            var result = Preconditions.EvaluateRead(conditions, etag[..etagLength], m.LastModified);
            if (result == ConditionResult.PreconditionFailed) return ReadOutcome.PreconditionFailed;
            if (result == ConditionResult.NotModified)
            {
                x.SetStatus(304);
                x.AddHeader(KnownHeader.ETag, etag[..etagLength]);
                AddDateHeader(x, KnownHeader.LastModified, m.LastModified);
                return ReadOutcome.NotModified;
            }
        }
        bool partial;
        if (part is { } p)
        {
            // partNumber: the part's bytes, always a partial answer (as S3 sends it), the Range header not consulted.
            partial = true;
            range = p;
        }
        else
        {
            var rangeOutcome = RangeHeader.Evaluate(headers.GetValue(KnownHeader.Range, head), m.Size, out var r);
            if (rangeOutcome == RangeOutcome.Unsatisfiable) return ReadOutcome.Unsatisfiable;
            partial = rangeOutcome == RangeOutcome.Partial;
            if (partial) range = r;
        }

        x.SetStatus(partial ? 206 : 200);
        AddDateHeader(x, KnownHeader.LastModified, m.LastModified);
        x.AddHeader(KnownHeader.ETag, etag[..etagLength]);
        x.AddHeader(KnownHeader.AcceptRanges, "bytes"u8);
        AddVersionHeader(x, m);
        if (partsCount > 0) x.AddHeader(KnownHeader.XAmzMpPartsCount, partsCount);
        if (partial)
        {
            Span<byte> contentRange = stackalloc byte[ContentRange.MaxLength];
            ContentRange.TryFormat(range, m.Size, contentRange, out int n);
            x.AddHeader(KnownHeader.ContentRange, contentRange[..n]);
        }
        var a = m.Attributes;
        AddHeader(x, KnownHeader.ContentType, Override(query, S3QueryParameter.ResponseContentType) ?? a.ContentType ?? "binary/octet-stream");
        AddHeader(x, KnownHeader.ContentEncoding, Override(query, S3QueryParameter.ResponseContentEncoding) ?? a.ContentEncoding);
        AddHeader(x, KnownHeader.ContentDisposition, Override(query, S3QueryParameter.ResponseContentDisposition) ?? a.ContentDisposition);
        AddHeader(x, KnownHeader.ContentLanguage, Override(query, S3QueryParameter.ResponseContentLanguage) ?? a.ContentLanguage);
        AddHeader(x, KnownHeader.CacheControl, Override(query, S3QueryParameter.ResponseCacheControl) ?? a.CacheControl);
        AddHeader(x, KnownHeader.Expires, Override(query, S3QueryParameter.ResponseExpires) ?? a.Expires);
        AddHeader(x, KnownHeader.XAmzStorageClass, a.StorageClass);
        foreach (var pair in a.UserMetadata) AddUserMetadata(x, pair.Key, pair.Value);
        if (a.Tags.Count > 0) x.AddHeader(KnownHeader.XAmzTaggingCount, a.Tags.Count);
        if (a.HasLock) AddObjectLockHeaders(x, a);
        // Checksums describe the whole object: S3 returns them only when asked, and not for a range.
        if (!partial && Ascii.EqualsIgnoreCase(headers.GetValue(KnownHeader.XAmzChecksumMode, head), "ENABLED"u8))
            AddChecksumHeaders(x, m);
        return ReadOutcome.Send;
    }

    /// <summary>A response-* override (control characters were refused by the router), without the spaces a header
    /// value cannot start or end with; null when absent.</summary>
    private static string? Override(S3Query query, S3QueryParameter parameter) => query.GetString(parameter)?.Trim(' ');

    /// <summary>One x-amz-meta-* header with the stored bytes as they were sent (possibly empty).</summary>
    private static void AddUserMetadata(S3Exchange x, string name, byte[] value)
    {
        Span<byte> header = stackalloc byte[StackHeaderBytes];
        var prefix = KnownHeaders.UserMetadataPrefix;
        int length = prefix.Length + name.Length; // names are ASCII tokens
        if (length > header.Length) header = new byte[length];
        prefix.CopyTo(header);
        Encoding.ASCII.GetBytes(name, header[prefix.Length..]);
        x.AddHeader(header[..length], value);
    }

    // ---------------------------------------------------------------- DeleteObject / DeleteObjects

    /// <summary>
    /// Keys of one DeleteObjects deleted at once. Each key's delete waits for its journal record to be durable before
    /// the unlink; run one at a time, a 1000-key request paid 1000 sequential journal fsyncs. Concurrent deletes join
    /// the journal's group commits (one fsync for everything buffered) and overlap their directory fsyncs, while each
    /// key keeps its own journal-then-unlink order and its own answer. Bounded so one request does not flood the
    /// engine's queues ahead of other clients.
    /// </summary>
    private const int DeleteObjectsParallelism = 64;

    internal async ValueTask DeleteObjectAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string? versionId = VersionIdOf(c);
        RefuseMfa(x);
        var condition = await WithObjectLockAsync(x, c, bucket, versionId, ReadDeleteCondition(x));
        var outcome = await _objects.DeleteVersionAsync(bucket, key, versionId, condition);
        await SendVersionedEmptyAsync(x, 204, outcome.VersionId, outcome.DeleteMarker);
    }

    /// <summary>
    /// A conditional delete's headers: If-Match (an ETag or *), x-amz-if-match-last-modified-time (an HTTP date) and
    /// x-amz-if-match-size, alone or together; null when none is sent. A value that does not parse is InvalidArgument,
    /// never ignored: a delete whose condition was dropped would delete what the client meant to keep.
    /// </summary>
    private static WriteCondition? ReadDeleteCondition(S3Exchange x)
    {
        string? ifMatch = ObjectHeaders.Get(x, KnownHeader.IfMatch)?.Trim();
        DateTimeOffset? lastModified = null;
        long? size = null;
        if (FindHeader(x, "x-amz-if-match-last-modified-time")?.Trim() is { } time)
        {
            if (!HttpDate.TryParseImfFixdate(Encoding.ASCII.GetBytes(time), out var at))
                throw new S3RequestException(S3Problem.InvalidArgument("Invalid date", "x-amz-if-match-last-modified-time", time).ToError());
            lastModified = at;
        }
        if (FindHeader(x, "x-amz-if-match-size")?.Trim() is { } length)
        {
            if (!long.TryParse(length, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
                throw new S3RequestException(S3Problem.InvalidArgument("Invalid size", "x-amz-if-match-size", length).ToError());
            size = n;
        }
        var condition = new WriteCondition(string.IsNullOrEmpty(ifMatch) ? null : ifMatch, null)
        {
            IfMatchLastModified = lastModified,
            IfMatchSize = size,
        };
        return condition.IsEmpty ? null : condition;
    }

    internal async ValueTask DeleteObjectsAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        RefuseMfa(x);
        // S3 requires an integrity check on Multi-Object Delete: Content-MD5 or an x-amz-checksum-*.
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        var request = DeleteObjectsRequest.Read(xml);
        if (!request.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, request.Detail);
        var objects = request.Value!.Objects;
        if (objects.Count == 0 || objects.Count > 1000)
            ThrowProblem(S3ErrorCode.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema");
        // Versions named by id are removed only if object lock allows (the bypass header applies to every key).
        var lockGuard = await ObjectLockGuardAsync(x, c, bucket);

        var outcomes = new DeleteError?[objects.Count];
        var deleted = new DeletedObject?[objects.Count];
        int next = -1;
        var workers = new Task[Math.Min(DeleteObjectsParallelism, objects.Count)];
        for (int w = 0; w < workers.Length; w++) workers[w] = DeleteWorkerAsync();
        await Task.WhenAll(workers);

        var result = new DeleteResult();
        for (int i = 0; i < objects.Count; i++)
        {
            if (outcomes[i] is { } error) result.Errors.Add(error);
            else if (!request.Value.Quiet) result.Deleted.Add(deleted[i] ?? new DeletedObject { Key = objects[i].Key });
        }
        var body = new ArrayBufferWriter<byte>(256 + (objects.Count * 64));
        result.WriteTo(body);
        await SendXmlAsync(x, body);

        async Task DeleteWorkerAsync()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < objects.Count;)
                (outcomes[i], deleted[i]) = await DeleteOneAsync(bucket, objects[i], lockGuard);
        }
    }

    /// <summary>One key of a DeleteObjects: what was deleted (VersionId, DeleteMarker, DeleteMarkerVersionId as S3
    /// reports them), or the key's error.</summary>
    private async Task<(DeleteError? Error, DeletedObject? Deleted)> DeleteOneAsync(string bucket, ObjectIdentifier o,
        WriteCondition? lockGuard)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(o.Key);
        var problem = ObjectKeyRules.Validate(keyBytes);
        if (!problem.IsNone) return (new DeleteError { Key = o.Key, Code = problem.Code!, Message = problem.Message }, null);
        if (o.VersionId != null && !VersionIds.IsValidRequestId(o.VersionId))
            return (new DeleteError { Key = o.Key, VersionId = o.VersionId, Code = S3ErrorCode.NoSuchVersion, Message = "The specified version does not exist." }, null);
        var condition = new WriteCondition(o.ETag, null) { IfMatchLastModified = o.LastModifiedTime, IfMatchSize = o.Size };
        if (o.VersionId != null && lockGuard != null)
            condition = condition with { RespectObjectLock = true, BypassGovernance = lockGuard.BypassGovernance };
        try
        {
            var outcome = await _objects.DeleteVersionAsync(bucket, o.Key, o.VersionId, condition.IsEmpty ? null : condition);
            var deleted = new DeletedObject { Key = o.Key };
            if (o.VersionId != null)
            {
                // A version removed by id: named back; a delete marker removed so says so.
                deleted.VersionId = o.VersionId;
                if (outcome.DeleteMarker)
                {
                    deleted.DeleteMarker = true;
                    deleted.DeleteMarkerVersionId = o.VersionId;
                }
            }
            else if (outcome.DeleteMarker)
            {
                deleted.DeleteMarker = true;
                deleted.DeleteMarkerVersionId = outcome.VersionId;
            }
            return (null, deleted);
        }
        catch (S3StorageException e)
        {
            return (new DeleteError { Key = o.Key, VersionId = o.VersionId, Code = e.Code, Message = e.Error.Message }, null);
        }
    }

    /// <summary>Checks an in-memory body against Content-MD5 and/or a checksum (BadDigest).</summary>
    private static void VerifyDigests(ReadOnlySpan<byte> body, string? contentMd5, ChecksumAlgorithm algorithm, string? checksum)
    {
        if (contentMd5 != null)
        {
            Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
            using (var digest = new Md5Digest())
            {
                digest.Append(body);
                digest.GetHashAndReset(md5);
            }
            if (!string.Equals(Convert.ToBase64String(md5), contentMd5.Trim(), StringComparison.Ordinal))
                ThrowProblem(S3ErrorCode.BadDigest, "The Content-MD5 you specified did not match what we received.");
        }
        if (checksum != null && algorithm != ChecksumAlgorithm.None)
        {
            using var digest = new S3Checksum(algorithm);
            digest.Append(body);
            Span<char> actual = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
            digest.TryFormatBase64(actual, out int n);
            if (!actual[..n].SequenceEqual(checksum.AsSpan().Trim()))
                ThrowProblem(S3ErrorCode.BadDigest, $"The {algorithm.GetHeaderName()} you specified did not match the calculated checksum.");
        }
    }

    // ---------------------------------------------------------------- CopyObject

    internal async ValueTask CopyObjectAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        ParseCopySource(x, out string sourceBucket, out string sourceKey, out string? sourceVersionId);
        string directive = ObjectHeaders.Get(x, KnownHeader.XAmzMetadataDirective)?.Trim() ?? "COPY";
        if (directive is not ("COPY" or "REPLACE"))
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, "Unknown metadata directive.")
                .WithDetail("ArgumentName", "x-amz-metadata-directive").WithDetail("ArgumentValue", directive));
        string tagging = ObjectHeaders.Get(x, KnownHeader.XAmzTaggingDirective)?.Trim() ?? "COPY";
        if (tagging is not ("COPY" or "REPLACE"))
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, "Unknown tagging directive.")
                .WithDetail("ArgumentName", "x-amz-tagging-directive").WithDetail("ArgumentValue", tagging));
        // REPLACE takes x-amz-tagging (none: no tags); COPY keeps the source's and ignores the header, as S3 does.
        IReadOnlyList<KeyValuePair<string, string>>? newTags = tagging == "REPLACE" ? ReadTaggingHeader(x) : null;
        ObjectAttributes? replacement = directive == "REPLACE" ? ObjectHeaders.ReadAttributes(x) : null;
        if (replacement?.StorageClass != null && !StorageClasses.Contains(replacement.StorageClass))
            ThrowProblem(S3ErrorCode.InvalidStorageClass);
        string? storageClass = ObjectHeaders.Get(x, KnownHeader.XAmzStorageClass)?.Trim();
        if (storageClass != null && !StorageClasses.Contains(storageClass)) ThrowProblem(S3ErrorCode.InvalidStorageClass);
        if (replacement == null && storageClass == null && sourceBucket == bucket && sourceKey == key && sourceVersionId == null
            && !HasSseHeaders(x))
            ThrowProblem(S3ErrorCode.InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        var condition = ReadWriteCondition(x);
        var lockWrite = await ReadObjectLockWriteAsync(x, bucket, integrity: false);
        // The copy's ACL is the request's (never the source's); the caller must be allowed to read the source.
        var acl = ObjectAclFor(x, c);
        var sourceAccess = await SourceAccessAsync(sourceBucket);
        CheckSourceOwner(x, sourceAccess, sourceBucket);

        string? copiedVersion = null;
        ObjectAttributes AttributesFor(ObjectMetadata source)
        {
            AuthorizeCopySource(x, c, sourceAccess, sourceBucket, sourceKey, sourceVersionId, source);
            CheckCopySourceConditions(x, source);
            copiedVersion = source.VersionIdHeader;
            var attributes = replacement ?? (storageClass == null ? source.Attributes
                : source.Attributes with { StorageClass = storageClass == "STANDARD" ? null : storageClass });
            // The copy's lock is its own (headers or the bucket's default), never the source version's.
            attributes = attributes.WithoutLock();
            if (lockWrite != null) attributes = lockWrite.Apply(attributes);
            return attributes with { Tags = newTags ?? source.Attributes.Tags, Acl = acl };
        }
        // Encryption on either side: the plaintext is read and written again (never a byte copy of ciphertext).
        var destination = await ReadWriteEncryptionAsync(x, bucket);
        ObjectMetadata metadata;
        if (destination != null || HasHeaderPrefix(x, CopySourceCustomerPrefix)
            || await IsEncryptedCopySourceAsync(sourceBucket, sourceKey, sourceVersionId))
        {
            metadata = await CopyEncryptedAsync(x, sourceBucket, sourceKey, sourceVersionId, bucket, key, AttributesFor, condition, destination);
        }
        else
        {
            metadata = await _objects.CopyAsync(sourceBucket, sourceKey, sourceVersionId, bucket, key, source =>
            {
                // Encrypted since it was looked at: a byte copy would mislabel ciphertext; the client retries (409).
                if (source.Attributes.Encryption != null) ThrowProblem(S3ErrorCode.OperationAborted);
                return AttributesFor(source);
            }, condition);
        }

        var result = new CopyObjectResult { LastModified = metadata.LastModified, ETag = metadata.ETag };
        SetChecksum(result.Checksums, metadata.ChecksumAlgorithm, metadata.Checksum);
        var body = new ArrayBufferWriter<byte>(256);
        result.WriteTo(body);
        await SendWrittenXmlAsync(x, c, body, metadata, copiedVersion); // with the copy's expiry, by the destination's rules
    }

    /// <summary>Whether the copy source (the version named, or the current one) is encrypted; a source that cannot be
    /// read is not judged here: the copy itself answers what S3 answers for it (NoSuchKey, a delete marker...).</summary>
    private async ValueTask<bool> IsEncryptedCopySourceAsync(string bucket, string key, string? versionId)
    {
        try
        {
            return (await _objects.HeadAsync(bucket, key, versionId)).Attributes.Encryption != null;
        }
        catch (S3StorageException)
        {
            return false;
        }
    }

    private static void ParseCopySource(S3Exchange x, out string bucket, out string key, out string? versionId)
    {
        var value = x.Request.Headers.GetValue(KnownHeader.XAmzCopySource, x.HeadBytes.Span);
        var decoded = new byte[value.Length];
        var problem = CopySource.Parse(value, decoded, out var b, out var k, out versionId);
        if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        bucket = Encoding.ASCII.GetString(b.Of(decoded));
        key = Encoding.UTF8.GetString(k.Of(decoded));
    }

    /// <summary>x-amz-copy-source-if-* against the source version being copied (PreconditionFailed).</summary>
    private static void CheckCopySourceConditions(S3Exchange x, ObjectMetadata source)
    {
        var conditions = ConditionalHeaders.FromCopySource(x.Request.Headers, x.HeadBytes.Span);
        if (conditions.IsEmpty) return;
        Span<byte> etag = stackalloc byte[64];
        int n = Encoding.ASCII.GetBytes(source.ETag, etag);
        if (Preconditions.EvaluateCopySource(conditions, etag[..n], source.LastModified) != ConditionResult.Proceed)
            ThrowProblem(S3ErrorCode.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
    }

    private static void SetChecksum(ObjectChecksums checksums, ChecksumAlgorithm algorithm, string? value) =>
        checksums.Set(algorithm, value);
}
