using Sluice.Client.Model;
using Sluice.S3.Checksums;

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

    internal async Task<TransferResult> DownloadFileAsync(string bucket, string key, string destinationPath, long sizeHint,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        if (await IsStreamFileAsync(destinationPath, cancellationToken).ConfigureAwait(false))
        {
            // O_WRONLY without O_TRUNC or O_CREAT: a device or FIFO is written as it is (a FIFO waits for its reader).
            await using var stream = new FileStream(destinationPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            return await DownloadToStreamAsync(bucket, key, stream, progress, cancellationToken).ConfigureAwait(false);
        }
        await using var sink = new FileDownloadSink(Io, destinationPath, Options.UseDirectIo, resume: true);
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
                (sink is FileDownloadSink ? " (the partial download is kept; run it again to resume)" : ""), bucket, key, null, e);
        }
    }

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
                    ? new GetObjectRequest(bucket, key) { ChecksumMode = true }
                    : GetObjectRequest.ForRange(bucket, key, 0, partSize - 1) with { ChecksumMode = true };
                first = await Client.GetObjectAsync(request, buffer.Memory, cancellationToken).ConfigureAwait(false);
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
                first = await Client.GetObjectAsync(new GetObjectRequest(bucket, key) { ChecksumMode = true }, buffer.Memory, cancellationToken).ConfigureAwait(false);
            }
            string etag = first.ETag ?? throw new TransferException($"s3://{bucket}/{key}: the response carried no ETag", bucket, key);
            long size = first.ObjectSize;
            int count = PartPlanner.CountParts(size, partSize);
            var plan = new PartPlan(size, partSize, count, PartPlanner.ConcurrencyFor(Options, partSize, count));
            tracker.SetTotal(size, count);
            var algorithm = Algorithm == ChecksumAlgorithm.None ? ChecksumAlgorithm.Crc64Nvme : Algorithm;
            var sums = new PartChecksums(algorithm, plan);
            await sink.OpenAsync(bucket, key, plan, etag, algorithm, cancellationToken).ConfigureAwait(false);

            var pending = new List<int>(count);
            int firstPart = (int)plan.LengthOf(0);
            if (first.ContentLength == firstPart && (first.Range is null || first.Range.Value.First == 0))
            {
                var data = buffer.Memory[..firstPart];
                ulong crc = PartChecksums.Compute(algorithm, data.Span);
                sums.Set(0, crc);
                await sink.WritePartAsync(0, 0, data, buffer, crc, cancellationToken).ConfigureAwait(false);
                tracker.AddBytes(firstPart);
                tracker.PartDone();
            }
            else pending.Add(0);
            buffer.Return();
            buffer = null!;
            for (int i = 1; i < count; i++) pending.Add(i);

            await FetchPartsAsync(bucket, key, etag, plan, pending, sink, sums, tracker, cancellationToken).ConfigureAwait(false);
            return await FinishDownloadAsync(bucket, key, etag, plan, sums, sink, first.Range is null ? first : null, 0, tracker, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            buffer?.Return();
        }
    }

    private async Task<TransferResult> ResumeDownloadAsync(string bucket, string key, DownloadSink sink, DownloadState resume,
        ProgressTracker tracker, CancellationToken cancellationToken)
    {
        int count = PartPlanner.CountParts(resume.Size, resume.PartSize);
        var plan = new PartPlan(resume.Size, resume.PartSize, count, PartPlanner.ConcurrencyFor(Options, resume.PartSize, count));
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
        await FetchPartsAsync(bucket, key, resume.ETag, plan, pending, sink, sums, tracker, cancellationToken).ConfigureAwait(false);
        return await FinishDownloadAsync(bucket, key, resume.ETag, plan, sums, sink, null, count - pending.Count, tracker, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches parts in parallel, each into a buffer reserved before its request, pinned to the ETag.</summary>
    private Task FetchPartsAsync(string bucket, string key, string etag, PartPlan plan, List<int> pending, DownloadSink sink,
        PartChecksums sums, ProgressTracker tracker, CancellationToken cancellationToken) =>
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
                    var request = GetObjectRequest.ForRange(bucket, key, offset, offset + length - 1) with { Conditions = IfMatch(etag) };
                    var meta = await Client.GetObjectAsync(request, target, ct).ConfigureAwait(false);
                    if (meta.ContentLength != length || meta.ObjectSize != plan.ObjectSize)
                        throw new TransferException($"s3://{bucket}/{key}: part {index + 1} came back with {meta.ContentLength} bytes of a " +
                            $"{meta.ObjectSize}-byte object; expected {length} bytes of {plan.ObjectSize}", bucket, key);
                    ulong crc = PartChecksums.Compute(sums.Algorithm, target.Span);
                    sums.Set(index, crc);
                    await sink.WritePartAsync(index, offset, target, buffer, crc, ct).ConfigureAwait(false);
                    tracker.AddBytes(length);
                    tracker.PartDone();
                }
                finally
                {
                    buffer?.Return();
                }
            },
            cancellationToken);

    /// <summary>Checks the combined CRC against the checksum the server stored, then commits the sink.</summary>
    private async Task<TransferResult> FinishDownloadAsync(string bucket, string key, string etag, PartPlan plan, PartChecksums sums,
        DownloadSink sink, ObjectMetadata? wholeResponse, int resumedParts, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        // A whole-object response carried the stored checksums already; otherwise one HEAD (pinned to the ETag, which
        // also proves the object did not change while parts were fetched) asks for them.
        var meta = wholeResponse ?? await Client.HeadObjectAsync(new GetObjectRequest(bucket, key) { Conditions = IfMatch(etag), ChecksumMode = true },
            cancellationToken).ConfigureAwait(false);
        var (storedAlgorithm, stored) = StoredCrc(meta.Checksums);
        bool verified = false;
        string? ours = null;
        if (stored != null)
        {
            int dash = stored.IndexOf('-', StringComparison.Ordinal);
            if (dash >= 0)
            {
                // COMPOSITE: a CRC of the uploader's part CRCs. Comparable only when our parts are the uploader's.
                if (storedAlgorithm == sums.Algorithm && stored.AsSpan(dash + 1).SequenceEqual(plan.PartCount.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                {
                    ours = sums.Composite();
                    verified = ours == stored;
                }
            }
            else
            {
                ulong? actual = storedAlgorithm == sums.Algorithm ? sums.Combine()
                    : await sink.RehashAsync(storedAlgorithm, plan.ObjectSize, Memory, cancellationToken).ConfigureAwait(false);
                if (actual is { } value)
                {
                    ours = PartChecksums.ToBase64(storedAlgorithm, value);
                    if (ours != stored)
                        throw new ChecksumMismatchException($"s3://{bucket}/{key}: the downloaded bytes have {storedAlgorithm.GetS3Name()} {ours}, " +
                            $"the server stored {stored}; nothing was kept", bucket, key, stored, ours);
                    verified = true;
                }
            }
        }
        await sink.CommitAsync(cancellationToken).ConfigureAwait(false);
        tracker.Complete();
        return new TransferResult
        {
            Bucket = bucket, Key = key, Size = plan.ObjectSize, ETag = etag, PartCount = plan.PartCount, ResumedParts = resumedParts,
            ChecksumAlgorithm = stored != null ? storedAlgorithm : sums.Algorithm,
            Checksum = stored ?? PartChecksums.ToBase64(sums.Algorithm, sums.Combine()),
            ChecksumVerified = verified,
        };
    }
}
