using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Client.Transfer;

public sealed partial class TransferEngine
{
    /// <summary>
    /// Downloads an object to a file. Bytes go to <c>&lt;dst&gt;.sluice-part</c> (with a sidecar recording finished
    /// parts) and are renamed to <paramref name="destinationPath"/> only when every part and the object checksum are
    /// verified. An interrupted download resumes from the sidecar when called again (if the object's ETag is unchanged).
    /// A destination that exists and is not a regular file or directory (a device such as /dev/null, a FIFO,
    /// /dev/stdout, or a link to one) is opened and written in order instead, like a stream: renaming a finished
    /// file over it would replace the node itself.
    /// </summary>
    public Task<TransferResult> DownloadFileAsync(string bucket, string key, string destinationPath,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadFileAsync(bucket, key, destinationPath, sizeHint: -1, progress, cancellationToken);

    /// <param name="deferDirectorySync">Leave syncing and renaming the complete file to the batch of
    /// <see cref="DirectorySyncGroup.FlushDeferredAsync"/> (a directory transfer, which reports nothing before it);
    /// otherwise the file is durable under its name when this returns.</param>
    internal async Task<TransferResult> DownloadFileAsync(string bucket, string key, string destinationPath, long sizeHint,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken, bool deferDirectorySync = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        if (await IsStreamFileAsync(destinationPath, cancellationToken).ConfigureAwait(false))
        {
            // O_WRONLY without O_TRUNC or O_CREAT: a device or FIFO is written as it is (a FIFO waits for its reader).
            await using var stream = new FileStream(destinationPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            return await DownloadToStreamAsync(bucket, key, stream, progress, cancellationToken).ConfigureAwait(false);
        }
        await using var sink = new FileDownloadSink(Io, destinationPath, Options.UseDirectIo, resume: true, DirectorySyncs, deferDirectorySync);
        return await DownloadAsync(bucket, key, sink, sizeHint, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads an object into a new array (parts are received straight into it).</summary>
    public async Task<byte[]> DownloadBytesAsync(string bucket, string key, IProgress<TransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var sink = new MemoryDownloadSink();
        await DownloadAsync(bucket, key, sink, -1, progress, cancellationToken).ConfigureAwait(false);
        return sink.Data;
    }

    /// <summary>
    /// Downloads an object to a stream, in order. Parts are fetched in parallel; memory held for parts that
    /// arrive ahead of their turn is bounded by the concurrency and the budget. The stream may already have received
    /// bytes when a later part fails or the object checksum turns out wrong (the exception says so).
    /// </summary>
    public async Task<TransferResult> DownloadToStreamAsync(string bucket, string key, Stream destination,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var sink = new StreamDownloadSink(destination);
        return await DownloadAsync(bucket, key, sink, -1, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TransferResult> DownloadAsync(string bucket, string key, DownloadSink sink, long sizeHint,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var tracker = new ProgressTracker($"s3://{bucket}/{key}", progress, Options.ProgressInterval);
        await sink.PrepareAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        bool opened = false;
        try
        {
            if (sink.Resume is { } resume)
            {
                try
                {
                    opened = true;
                    return await ResumeDownloadAsync(bucket, key, sink, resume, tracker, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsPreconditionFailed(e))
                {
                    // The object changed since the interrupted attempt: its bytes cannot be combined with the new ones.
                    await sink.FailAsync(keepForResume: false).ConfigureAwait(false);
                    ((FileDownloadSink)sink).ForgetResume();
                    tracker = new ProgressTracker(tracker.Name, progress, Options.ProgressInterval);
                }
            }
            opened = true;
            return await FreshDownloadAsync(bucket, key, sink, sizeHint, tracker, cancellationToken).ConfigureAwait(false);
        }
        catch (ChecksumMismatchException)
        {
            await sink.FailAsync(keepForResume: false).ConfigureAwait(false);
            throw;
        }
        catch (S3Exception e) when (opened && e.Code == S3ClientErrorCodes.ChecksumMismatch)
        {
            // The client checked a whole-object response against its x-amz-checksum-* header.
            await sink.FailAsync(keepForResume: false).ConfigureAwait(false);
            throw new ChecksumMismatchException($"s3://{bucket}/{key}: {e.Message}; nothing was kept", e);
        }
        catch (OperationCanceledException) when (opened && cancellationToken.IsCancellationRequested)
        {
            await sink.FailAsync(keepForResume: true).ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (opened)
        {
            bool keep = e is not TransferException;
            await sink.FailAsync(keepForResume: keep).ConfigureAwait(false);
            if (e is TransferException) throw;
            if (IsPreconditionFailed(e))
                throw new TransferException($"download of s3://{bucket}/{key} failed: the object changed during the transfer", bucket, key, null, e);
            throw new TransferException($"download of s3://{bucket}/{key} failed: {e.Message}" +
                (sink is FileDownloadSink { KeptForResume: true } ? " (the partial download is kept; run it again to resume)" : ""), bucket, key, null, e);
        }
    }


    /// <summary>Parts in flight for a download into <paramref name="sink"/>: an in-order sink holds early parts, so its window caps them.</summary>
    private int ConcurrencyFor(DownloadSink sink, long partSize, int count) => sink.InOrder
        ? PartPlanner.StreamConcurrencyFor(Options, partSize, count)
        : PartPlanner.ConcurrencyFor(Options, partSize, count);

    /// <summary>
    /// How many times a part that can be verified on its own (an object fetched in one request) is fetched before its
    /// mismatch fails the transfer; a damaged response is rare, the same damage every time means the stored bytes differ.
    /// </summary>
    private const int MaxPartFetches = 3;

    private async Task<TransferResult> FreshDownloadAsync(string bucket, string key, DownloadSink sink, long sizeHint,
        ProgressTracker tracker, CancellationToken cancellationToken)
    {
        long partSize = Options.PartSize ?? PartPlanner.DefaultPartSize;
        // A size known in advance (from a listing) lets a small object be fetched whole, checksum included, into a
        // buffer of its own size; otherwise the first request is a ranged GET of one part, which also tells the size.
        bool whole = sizeHint >= 0 && sizeHint <= partSize;
        int firstLength = (int)(whole ? Math.Max(1, sizeHint) : partSize);
        var buffer = await Memory.RentAsync(firstLength, cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectMetadata first;
            try
            {
                var request = whole
                    ? new GetObjectRequest(bucket, key) { ChecksumMode = true, CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId }
                    : GetObjectRequest.ForRange(bucket, key, 0, partSize - 1) with { ChecksumMode = true, CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId };
                first = await GetFirstAsync(request, buffer.Memory, cancellationToken).ConfigureAwait(false);
            }
            catch (S3Exception e) when (e.StatusCode == 416 || whole && e.Code == S3ClientErrorCodes.DestinationTooSmall)
            {
                // 416: an empty object has no byte 0. Too small: the object grew since it was listed.
                if (e.StatusCode != 416)
                {
                    buffer.Return();
                    buffer = null!;
                    return await FreshDownloadAsync(bucket, key, sink, -1, tracker, cancellationToken).ConfigureAwait(false);
                }
                first = await GetFirstAsync(new GetObjectRequest(bucket, key) { ChecksumMode = true, CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId }, buffer.Memory, cancellationToken).ConfigureAwait(false);
            }
            string etag = first.ETag ?? throw new TransferException($"s3://{bucket}/{key}: the response carried no ETag", bucket, key);
            long size = first.ObjectSize;
            int count = PartPlanner.CountParts(size, partSize);
            var plan = new PartPlan(size, partSize, count, ConcurrencyFor(sink, partSize, count));
            tracker.SetTotal(size, count);

            // A whole-object response carried the stored checksums; otherwise one HEAD pinned to the ETag asks for them,
            // before the other parts, so the check (and whether an MD5 must be computed) is known as their bytes land.
            var stored = first.Range is null ? first : await HeadPinnedAsync(bucket, key, etag, cancellationToken).ConfigureAwait(false);
            var check = await PlanCheckAsync(bucket, key, etag, plan, stored, fixedAlgorithm: null, cancellationToken).ConfigureAwait(false);
            var algorithm = check.Kind == TransferVerification.Checksum && !check.IsDigest ? check.Algorithm : PartCrc;
            var sums = new PartChecksums(algorithm, plan);
            using var digest = check.NewDigest();
            await sink.OpenAsync(bucket, key, plan, etag, algorithm, cancellationToken).ConfigureAwait(false);

            var pending = new List<int>(count);
            int firstPart = (int)plan.LengthOf(0);
            bool verified = false;
            if (first.ContentLength == firstPart && (first.Range is null || first.Range.Value.First == 0))
            {
                var data = buffer.Memory[..firstPart];
                ulong crc = PartChecksums.Compute(algorithm, data.Span);
                sums.Set(0, crc);
                if (count == 1 && check.Kind != TransferVerification.None)
                {
                    // The whole object is in memory: check it before anything is written (a stream cannot take bytes
                    // back), fetching it again when it arrived damaged.
                    string? unknownSizes = null;
                    for (int fetches = 1; ; fetches++)
                    {
                        string actual = OneshotActual(check, sums, data.Span);
                        if (actual == check.Expected) { verified = true; break; }
                        if (fetches == 1 && check.AssumesUniformParts)
                        {
                            (check, unknownSizes) = await ExactPartsAsync(bucket, key, etag, size, check, cancellationToken).ConfigureAwait(false);
                            if (check.PartSizes != null && OneshotActual(check, sums, data.Span) == check.Expected) { verified = true; break; }
                        }
                        if (fetches == MaxPartFetches || firstPart == 0)
                        {
                            if (unknownSizes is null) throw Mismatch(bucket, key, check, actual, fetches);
                            check = DownloadCheck.Unverifiable(UnevenPartsReason(check, unknownSizes, refetched: firstPart > 0));
                            break;
                        }
                        var again = await Client.GetObjectAsync(GetObjectRequest.ForRange(bucket, key, 0, firstPart - 1) with { Conditions = IfMatch(etag), CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId },
                            data, cancellationToken).ConfigureAwait(false);
                        CheckPartLength(bucket, key, plan, 0, again);
                        sums.Set(0, crc = PartChecksums.Compute(algorithm, data.Span));
                    }
                }
                await sink.WritePartAsync(0, 0, data, buffer, crc, cancellationToken).ConfigureAwait(false);
                if (digest != null && !verified && check.Kind != TransferVerification.None)
                    await digest.AppendInOrderAsync(0, data, cancellationToken).ConfigureAwait(false);
                tracker.AddBytes(firstPart);
                tracker.PartDone();
            }
            else pending.Add(0);
            buffer.Return();
            buffer = null!;
            for (int i = 1; i < count; i++) pending.Add(i);

            await FetchPartsAsync(bucket, key, etag, plan, pending, sink, sums, verified ? null : digest, tracker, cancellationToken).ConfigureAwait(false);
            return await FinishDownloadAsync(bucket, key, etag, plan, sums, sink, check, verified ? null : digest, verified, 0, tracker, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            buffer?.Return();
        }
    }

    /// <summary>The first GET; a whole-object answer that fails its checksum (checked by the client) is fetched again.</summary>
    private async Task<ObjectMetadata> GetFirstAsync(GetObjectRequest request, Memory<byte> destination, CancellationToken cancellationToken)
    {
        for (int fetches = 1; ; fetches++)
        {
            try
            {
                return await Client.GetObjectAsync(request, destination, cancellationToken).ConfigureAwait(false);
            }
            catch (S3Exception e) when (e.Code == S3ClientErrorCodes.ChecksumMismatch && fetches < MaxPartFetches)
            {
            }
        }
    }

    private Task<ObjectMetadata> HeadPinnedAsync(string bucket, string key, string etag, CancellationToken cancellationToken) =>
        Client.HeadObjectAsync(new GetObjectRequest(bucket, key) { Conditions = IfMatch(etag), CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId, ChecksumMode = true }, cancellationToken);

    private async Task<TransferResult> ResumeDownloadAsync(string bucket, string key, DownloadSink sink, DownloadState resume,
        ProgressTracker tracker, CancellationToken cancellationToken)
    {
        int count = PartPlanner.CountParts(resume.Size, resume.PartSize);
        var plan = new PartPlan(resume.Size, resume.PartSize, count, ConcurrencyFor(sink, resume.PartSize, count));
        // Pinned to the recorded ETag: an object changed since answers 412 and the download starts over.
        var stored = await HeadPinnedAsync(bucket, key, resume.ETag, cancellationToken).ConfigureAwait(false);
        var check = await PlanCheckAsync(bucket, key, resume.ETag, plan, stored, resume.Algorithm, cancellationToken).ConfigureAwait(false);
        var sums = new PartChecksums(resume.Algorithm, plan);
        var pending = new List<int>();
        long resumedBytes = 0;
        for (int i = 0; i < count; i++)
        {
            if (sink.ResumedParts.TryGetValue(i, out ulong crc)) { sums.Set(i, crc); resumedBytes += plan.LengthOf(i); }
            else pending.Add(i);
        }
        tracker.SetTotal(resume.Size, count);
        tracker.AddBytes(resumedBytes);
        await sink.OpenAsync(bucket, key, plan, resume.ETag, resume.Algorithm, cancellationToken).ConfigureAwait(false);
        // An ETag check re-reads the file at the end (the resumed parts were not in memory in order).
        await FetchPartsAsync(bucket, key, resume.ETag, plan, pending, sink, sums, null, tracker, cancellationToken).ConfigureAwait(false);
        return await FinishDownloadAsync(bucket, key, resume.ETag, plan, sums, sink, check, null, false, count - pending.Count, tracker, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches parts in parallel, each into a buffer reserved before its request, pinned to the ETag. With an ETag
    /// check, each part is also fed to <paramref name="digest"/> in part order.
    /// </summary>
    private Task FetchPartsAsync(string bucket, string key, string etag, PartPlan plan, List<int> pending, DownloadSink sink,
        PartChecksums sums, ObjectDigest? digest, ProgressTracker tracker, CancellationToken cancellationToken) =>
        PartScheduler.RunAsync<PartBuffer?>(pending, plan.Concurrency,
            async (index, ct) =>
            {
                int length = (int)plan.LengthOf(index);
                if (!sink.DirectTarget(plan.OffsetOf(index), length).IsEmpty) return null;
                return await Memory.RentAsync(Math.Max(1, length), ct).ConfigureAwait(false);
            },
            async (index, buffer, ct) =>
            {
                try
                {
                    long offset = plan.OffsetOf(index);
                    int length = (int)plan.LengthOf(index);
                    var target = buffer?.Memory[..length] ?? sink.DirectTarget(offset, length);
                    var request = GetObjectRequest.ForRange(bucket, key, offset, offset + length - 1) with { Conditions = IfMatch(etag), CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId };
                    var meta = await Client.GetObjectAsync(request, target, ct).ConfigureAwait(false);
                    CheckPartLength(bucket, key, plan, index, meta);
                    ulong crc = PartChecksums.Compute(sums.Algorithm, target.Span);
                    sums.Set(index, crc);
                    await sink.WritePartAsync(index, offset, target, buffer, crc, ct).ConfigureAwait(false);
                    if (digest != null) await digest.AppendInOrderAsync(index, target, ct).ConfigureAwait(false);
                    tracker.AddBytes(length);
                    tracker.PartDone();
                }
                finally
                {
                    buffer?.Return();
                }
            },
            cancellationToken);

    private static void CheckPartLength(string bucket, string key, PartPlan plan, int index, ObjectMetadata meta)
    {
        long length = plan.LengthOf(index);
        if (meta.ContentLength != length || meta.ObjectSize != plan.ObjectSize)
            throw new TransferException($"s3://{bucket}/{key}: part {index + 1} came back with {meta.ContentLength} bytes of a " +
                $"{meta.ObjectSize}-byte object; expected {length} bytes of {plan.ObjectSize}", bucket, key);
    }

    /// <summary>
    /// Decides what the bytes will be checked against (see <see cref="DownloadCheck"/>). <paramref name="fixedAlgorithm"/>
    /// is the CRC the parts are computed with when it cannot follow the stored one (a resumed download's).
    /// </summary>
    private async Task<DownloadCheck> PlanCheckAsync(string bucket, string key, string etag, PartPlan plan, ObjectMetadata meta,
        ChecksumAlgorithm? fixedAlgorithm, CancellationToken cancellationToken)
    {
        var (algorithm, stored) = StoredCrc(meta.Checksums);
        if (stored is null) (algorithm, stored) = StoredDigest(meta.Checksums);
        string? composite = null;
        if (stored != null)
        {
            int dash = stored.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0) return new DownloadCheck { Kind = TransferVerification.Checksum, Algorithm = algorithm, Expected = stored };
            if (!algorithm.IsCombinable())
            {
                // COMPOSITE SHA: the digest of the uploader's part digests. The download's own parts cannot give it (a
                // digest does not combine), so the bytes are hashed in order over the uploader's parts, whose sizes
                // the server tells as it does for a multipart ETag.
                if (int.TryParse(stored.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0)
                    return await UploaderPartsCheckAsync(bucket, key, etag, plan,
                        new DownloadCheck { Kind = TransferVerification.Checksum, Algorithm = algorithm, Expected = stored, IsComposite = true, UploaderParts = n },
                        $"its checksum is a composite {algorithm.GetS3Name()} over {n} parts", $"its composite {algorithm.GetS3Name()}", cancellationToken).ConfigureAwait(false);
                composite = $"its composite {algorithm.GetS3Name()} {stored} names no part count";
            }
            // COMPOSITE: a CRC of the uploader's part CRCs. Comparable only when our parts are the uploader's.
            else if ((fixedAlgorithm is null || fixedAlgorithm == algorithm)
                && stored.AsSpan(dash + 1).SequenceEqual(plan.PartCount.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                return new DownloadCheck { Kind = TransferVerification.Checksum, Algorithm = algorithm, Expected = stored, IsComposite = true };
            else composite = $"its composite {algorithm.GetS3Name()} covers another part layout";
        }
        string none = composite ?? "it has no stored checksum";
        if (meta.SseCustomerAlgorithm != null || meta.ServerSideEncryption?.StartsWith("aws:kms", StringComparison.OrdinalIgnoreCase) == true)
            return DownloadCheck.Unverifiable($"{none}, and it is encrypted with {(meta.SseCustomerAlgorithm != null ? "SSE-C" : "SSE-KMS")}, so its ETag is not an MD5 of its bytes");
        // A weak tag promises equivalent content, not these bytes.
        if (etag.StartsWith("W/", StringComparison.Ordinal) || !ETag.TryParse(etag.AsSpan().Trim(), new byte[Md5Digest.HashSizeInBytes], out int parts))
            return DownloadCheck.Unverifiable($"{none}, and its ETag {etag} is not an MD5");
        string normalized = ETag.Unquote(etag.AsSpan().Trim()).ToString().ToLowerInvariant();
        if (parts == 0) return new DownloadCheck { Kind = TransferVerification.Md5ETag, Expected = normalized };
        // A multipart ETag is the MD5 of the parts' MD5s: computable when the part boundaries are known.
        return await UploaderPartsCheckAsync(bucket, key, etag, plan,
            new DownloadCheck { Kind = TransferVerification.MultipartETag, Expected = normalized, UploaderParts = parts },
            $"{none}, it was uploaded in {parts} parts", "its ETag", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first stored checksum that does not combine (SHA-256, SHA-1, SHA-512, MD5, the XXHASHes), full-object
    /// or composite; (None, null) without one.</summary>
    private static (ChecksumAlgorithm Algorithm, string? Value) StoredDigest(S3.Xml.ObjectChecksums checksums)
    {
        foreach (var algorithm in (ReadOnlySpan<ChecksumAlgorithm>)[ChecksumAlgorithm.Sha256, ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha512,
                     ChecksumAlgorithm.Md5, ChecksumAlgorithm.XxHash3, ChecksumAlgorithm.XxHash64, ChecksumAlgorithm.XxHash128])
        {
            if (checksums.Get(algorithm) is { } value) return (algorithm, value);
        }
        return (ChecksumAlgorithm.None, null);
    }

    /// <summary>
    /// Completes a check computed over the uploader's <see cref="DownloadCheck.UploaderParts"/> parts (a multipart ETag,
    /// a composite SHA) with their boundaries: the first part's size and the part count (HEAD ?partNumber=1) give them
    /// for the uniform parts uploaders cut; a count that shows uneven parts asks each part's size. Unverifiable, saying
    /// why after <paramref name="what"/>, when the server does not tell them.
    /// </summary>
    private async Task<DownloadCheck> UploaderPartsCheckAsync(string bucket, string key, string etag, PartPlan plan, DownloadCheck check,
        string what, string value, CancellationToken cancellationToken)
    {
        int parts = check.UploaderParts;
        ObjectMetadata first;
        try
        {
            first = await Client.HeadObjectAsync(new GetObjectRequest(bucket, key) { PartNumber = 1, Conditions = IfMatch(etag), CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (S3Exception e) when (!IsPreconditionFailed(e))
        {
            return DownloadCheck.Unverifiable($"{what}, and the server does not tell their sizes (partNumber: {e.Code})");
        }
        long partSize = first.ContentLength;
        if (first.PartsCount != parts || partSize <= 0)
            return DownloadCheck.Unverifiable($"{what}, and the part sizes the server gives ({first.PartsCount} parts, the first {partSize} bytes) " +
                $"do not fit {value} ({parts} parts of {plan.ObjectSize} bytes)");
        check = check with { UploaderPartSize = partSize };
        if (PartPlanner.CountParts(plan.ObjectSize, partSize) == parts) return check;
        // The count shows the parts are uneven: ask each one's size now, so the bytes are still hashed as they land.
        var (sizes, unknown) = await PartSizesAsync(bucket, key, etag, parts, plan.ObjectSize, cancellationToken).ConfigureAwait(false);
        return sizes is null
            ? DownloadCheck.Unverifiable($"{what} of uneven sizes, and {unknown}")
            : check with { PartSizes = sizes };
    }

    /// <summary>How many HEAD ?partNumber=i requests are in flight at once when asking the parts' sizes.</summary>
    private const int PartSizeQueries = 8;

    /// <summary>
    /// Each part's exact size, from HEAD ?partNumber=i (i = 1..<paramref name="parts"/>, pinned to the ETag, a few at a
    /// time), or why they cannot be had. A 412 (the object changed) is thrown.
    /// </summary>
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
                    var meta = await Client.HeadObjectAsync(new GetObjectRequest(bucket, key) { PartNumber = number, Conditions = IfMatch(etag), CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId }, ct)
                        .ConfigureAwait(false);
                    sizes[number - 1] = meta.PartsCount == parts ? meta.ContentLength : -1;
                }).ConfigureAwait(false);
        }
        catch (S3Exception e) when (!IsPreconditionFailed(e))
        {
            return (null, $"the server does not tell its parts' sizes (partNumber: {e.Code})");
        }
        long total = 0;
        foreach (long partLength in sizes)
        {
            if (partLength < 0) return (null, $"the server's answers for its parts do not say {parts} parts");
            total += partLength;
        }
        return total == objectSize ? (sizes, null) : (null, $"the part sizes the server gives add up to {total} bytes, not {objectSize}");
    }

    /// <summary>
    /// The CRC each download part is computed with (for the resume sidecar, for repairs, and for the object's check
    /// when it stored this CRC): the engine's algorithm when it is a CRC, else CRC64NVME.
    /// </summary>
    private ChecksumAlgorithm PartCrc => Algorithm.IsCombinable() ? Algorithm : ChecksumAlgorithm.Crc64Nvme;

    /// <summary>
    /// After a multipart ETag mismatch under uniform parts assumed: an uploader may have cut uneven parts whose count
    /// still fits (AWS SDKs, UploadPartCopy). Asks each part's size (a HEAD each, cheaper than fetching the object again)
    /// and returns the check over the exact boundaries when they are uneven, the same check when they are uniform (the
    /// mismatch is then real), or why the sizes are unknown (the mismatch cannot be told from uneven parts).
    /// </summary>
    private async Task<(DownloadCheck Check, string? Unknown)> ExactPartsAsync(string bucket, string key, string etag, long objectSize,
        DownloadCheck check, CancellationToken cancellationToken)
    {
        var (sizes, unknown) = await PartSizesAsync(bucket, key, etag, check.UploaderParts, objectSize, cancellationToken).ConfigureAwait(false);
        if (sizes is null) return (check, unknown);
        // The sizes add up to the object's: the first N-1 being the first part's size makes the last one fit too.
        for (int i = 0; i < sizes.Length - 1; i++)
            if (sizes[i] != check.UploaderPartSize) return (check with { PartSizes = sizes }, null);
        return (check, null);
    }

    private static string UnevenPartsReason(DownloadCheck check, string unknown, bool refetched) =>
        $"the bytes do not match the object's {check.Describe()} computed over {check.UploaderParts} parts of {check.UploaderPartSize} bytes" +
        (refetched ? " and came back the same when fetched again" : "") +
        $", but its parts may be of uneven sizes and {unknown}";

    /// <summary>The checked value of a download held whole in one part (<paramref name="data"/>, its CRC set in <paramref name="sums"/>).</summary>
    private static string OneshotActual(DownloadCheck check, PartChecksums sums, ReadOnlySpan<byte> data)
    {
        if (!check.IsDigest)
            return check.IsComposite ? sums.Composite() : PartChecksums.ToBase64(check.Algorithm, sums.Combine());
        using var digest = check.NewDigest()!;
        digest.Append(data);
        return digest.Finish();
    }

    /// <summary>
    /// The checked value of the whole download: the parts' CRCs combined (or the file re-read for another CRC), the
    /// composite, or the ETag from <paramref name="digest"/> (fed in order) or from re-reading the sink. Null when
    /// the sink cannot be re-read.
    /// </summary>
    private async Task<string?> ActualAsync(DownloadCheck check, PartPlan plan, PartChecksums sums, DownloadSink sink, ObjectDigest? digest,
        CancellationToken cancellationToken)
    {
        if (check.Kind == TransferVerification.Checksum && !check.IsDigest)
        {
            if (check.IsComposite) return sums.Composite();
            ulong? value = check.Algorithm == sums.Algorithm ? sums.Combine()
                : await sink.RehashAsync(check.Algorithm, plan.ObjectSize, Memory, cancellationToken).ConfigureAwait(false);
            return value is { } v ? PartChecksums.ToBase64(check.Algorithm, v) : null;
        }
        if (digest != null) return digest.Finish();
        if (!sink.CanReadBack) return null;
        using var reread = check.NewDigest()!;
        const int Step = 1 << 20;
        using var buffer = await Memory.RentAsync((int)Math.Clamp(plan.ObjectSize, 1, Step), cancellationToken).ConfigureAwait(false);
        for (long done = 0; done < plan.ObjectSize;)
        {
            var memory = buffer.Memory[..(int)Math.Min(Step, plan.ObjectSize - done)];
            await sink.ReadBackAsync(done, memory, cancellationToken).ConfigureAwait(false);
            reread.Append(memory.Span);
            done += memory.Length;
        }
        return reread.Finish();
    }

    /// <summary>
    /// After a whole-object mismatch, which part was damaged is unknown: fetch the parts again one at a time and
    /// replace any whose bytes come back different (its CRC differs from the first fetch's), re-checking after each.
    /// Each part is fetched once more at most. Returns the checked value once it matches, else null.
    /// </summary>
    private async Task<string?> RefetchDifferingPartsAsync(string bucket, string key, string etag, PartPlan plan, PartChecksums sums,
        DownloadSink sink, DownloadCheck check, CancellationToken cancellationToken)
    {
        for (int index = 0; index < plan.PartCount; index++)
        {
            long offset = plan.OffsetOf(index);
            int length = (int)plan.LengthOf(index);
            if (length == 0) continue;
            using var buffer = await Memory.RentAsync(length, cancellationToken).ConfigureAwait(false);
            var data = buffer.Memory[..length];
            var meta = await Client.GetObjectAsync(GetObjectRequest.ForRange(bucket, key, offset, offset + length - 1) with { Conditions = IfMatch(etag), CustomerKey = Options.SourceCustomerKey, VersionId = Options.SourceVersionId },
                data, cancellationToken).ConfigureAwait(false);
            CheckPartLength(bucket, key, plan, index, meta);
            ulong crc = PartChecksums.Compute(sums.Algorithm, data.Span);
            if (crc == sums.Get(index)) continue;
            await sink.WritePartAsync(index, offset, data, buffer, crc, cancellationToken).ConfigureAwait(false);
            sums.Set(index, crc);
            string? actual = await ActualAsync(check, plan, sums, sink, null, cancellationToken).ConfigureAwait(false);
            if (actual == check.Expected) return actual;
        }
        return null;
    }

    private static ChecksumMismatchException Mismatch(string bucket, string key, DownloadCheck check, string? actual, int fetches) =>
        new($"s3://{bucket}/{key}: the downloaded bytes do not match the object's {check.Describe()} (got {actual}" +
            (fetches > 1 ? $", fetched {fetches} times" : "") + "); nothing was kept", bucket, key, check.Expected, actual);

    /// <summary>Checks the bytes (see <see cref="DownloadCheck"/>), repairing damaged parts where the sink allows, then commits the sink.</summary>
    private async Task<TransferResult> FinishDownloadAsync(string bucket, string key, string etag, PartPlan plan, PartChecksums sums,
        DownloadSink sink, DownloadCheck check, ObjectDigest? digest, bool verified, int resumedParts, ProgressTracker tracker,
        CancellationToken cancellationToken)
    {
        string? reason = check.Reason;
        if (!verified && check.Kind != TransferVerification.None)
        {
            string? actual = await ActualAsync(check, plan, sums, sink, digest, cancellationToken).ConfigureAwait(false);
            string? unknownSizes = null;
            if (actual != null && actual != check.Expected && check.AssumesUniformParts)
            {
                // Before fetching anything again: the parts may be uneven, the bytes right (a re-read hashes them again).
                (check, unknownSizes) = await ExactPartsAsync(bucket, key, etag, plan.ObjectSize, check, cancellationToken).ConfigureAwait(false);
                if (check.PartSizes != null)
                    actual = await ActualAsync(check, plan, sums, sink, null, cancellationToken).ConfigureAwait(false);
            }
            if (actual is null)
            {
                reason = check.PartSizes is null
                    ? $"the server stored a {check.Describe()}, which cannot be computed over bytes already streamed"
                    : $"the object was uploaded in parts of uneven sizes: its {check.Describe()} cannot be computed over bytes already streamed";
            }
            else if (actual != check.Expected)
            {
                // A file or memory can take a part back; a stream already has the bytes.
                string? repaired = sink.CanReadBack
                    ? await RefetchDifferingPartsAsync(bucket, key, etag, plan, sums, sink, check, cancellationToken).ConfigureAwait(false)
                    : null;
                if (repaired != null) verified = true;
                else if (unknownSizes != null) reason = UnevenPartsReason(check, unknownSizes, sink.CanReadBack);
                else throw Mismatch(bucket, key, check, actual, sink.CanReadBack ? 2 : 1);
            }
            else verified = true;
        }
        await sink.CommitAsync(cancellationToken).ConfigureAwait(false);
        tracker.Complete();
        bool stored = check.Kind == TransferVerification.Checksum;
        return new TransferResult
        {
            Bucket = bucket, Key = key, Size = plan.ObjectSize, ETag = etag, PartCount = plan.PartCount, ResumedParts = resumedParts,
            ChecksumAlgorithm = stored ? check.Algorithm : sums.Algorithm,
            Checksum = stored ? check.Expected : PartChecksums.ToBase64(sums.Algorithm, sums.Combine()),
            Verification = verified ? check.Kind : TransferVerification.None,
            UnverifiedReason = verified ? null : reason,
        };
    }
}
