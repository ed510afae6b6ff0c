using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;
using Sluice.S3.Xml;

namespace Sluice.Client.Transfer;

public sealed partial class TransferEngine
{
    /// <summary>
    /// Uploads a file: one PutObject up to <see cref="TransferOptions.MultipartThreshold"/>, else a multipart upload
    /// whose parts are read from the file at their offsets and sent in parallel, each with its CRC. On failure the
    /// <see cref="TransferException"/> carries the UploadId; pass it as <see cref="UploadOptions.ResumeUploadId"/> to resume.
    /// A source that is not a regular file (a FIFO, a device, /dev/fd/N of a pipe) has no length to plan parts by: it
    /// is read in order like <see cref="UploadStreamAsync"/>, so the object holds exactly the bytes read.
    /// </summary>
    public Task<TransferResult> UploadFileAsync(string sourcePath, string bucket, string key, UploadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadFileAsync(sourcePath, bucket, key, options, progress, knownRegular: false, cancellationToken);

    /// <param name="knownRegular">The caller's directory walk already told a regular file: its statx is not paid again.</param>
    internal async Task<TransferResult> UploadFileAsync(string sourcePath, string bucket, string key, UploadOptions? options,
        IProgress<TransferProgress>? progress, bool knownRegular, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        options ??= new UploadOptions();
        if (!knownRegular && await IsStreamFileAsync(sourcePath, cancellationToken).ConfigureAwait(false))
        {
            if (options.ResumeUploadId != null) throw new ArgumentException($"{sourcePath} is not a regular file: it cannot be re-read to resume", nameof(options));
            await using var stream = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            return await UploadStreamAsync(stream, bucket, key, WithGuessedType(options, sourcePath), progress, cancellationToken).ConfigureAwait(false);
        }
        options = WithGuessedType(options, sourcePath);
        await using var file = await PartFile.OpenReadAsync(Io, sourcePath, direct: false, cancellationToken).ConfigureAwait(false);
        long size = await file.GetLengthAsync(cancellationToken).ConfigureAwait(false);
        var tracker = new ProgressTracker(sourcePath, progress, Options.ProgressInterval, size);
        if (size <= Options.MultipartThreshold && options.ResumeUploadId is null)
        {
            tracker.SetTotal(size, 1);
            var buffer = await Memory.RentAsync((int)Math.Max(1, size), cancellationToken).ConfigureAwait(false);
            try
            {
                var data = buffer.Memory[..(int)size];
                await file.ReadExactlyAsync(buffer, (int)size, 0, cancellationToken).ConfigureAwait(false);
                return await PutSingleAsync(bucket, key, options, data, tracker, cancellationToken).ConfigureAwait(false);
            }
            finally { buffer.Return(); }
        }
        var plan = PartPlanner.Plan(size, Options);
        return await UploadMultipartAsync(bucket, key, options, plan, tracker,
            (offset, buffer, length, ct) => file.ReadExactlyAsync(buffer, length, offset, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a stream of unknown length: parts are read in order into budget buffers and sent in parallel. A stream
    /// that ends within the first part goes up with one PutObject. Resuming needs a file (a stream cannot be re-read).
    /// </summary>
    public async Task<TransferResult> UploadStreamAsync(Stream source, string bucket, string key, UploadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        options ??= new UploadOptions();
        if (options.ResumeUploadId != null) throw new ArgumentException("resuming an upload needs a file source", nameof(options));
        var tracker = new ProgressTracker(key, progress, Options.ProgressInterval);
        long partSize = Options.PartSize ?? PartPlanner.DefaultPartSize;
        var algorithm = EffectiveAlgorithm;

        var first = await Memory.RentAsync((int)partSize, cancellationToken).ConfigureAwait(false);
        int firstLength;
        try { firstLength = await FillAsync(source, first.Memory, cancellationToken).ConfigureAwait(false); }
        catch { first.Return(); throw; }
        if (firstLength < partSize)
        {
            try
            {
                tracker.SetTotal(firstLength, 1);
                return await PutSingleAsync(bucket, key, options, first.Memory[..firstLength], tracker, cancellationToken).ConfigureAwait(false);
            }
            finally { first.Return(); }
        }

        string uploadId;
        try { uploadId = await Client.CreateMultipartUploadAsync(CreateRequest(bucket, key, options, algorithm), cancellationToken).ConfigureAwait(false); }
        catch { first.Return(); throw; }
        var completed = new List<CompletedPart>();
        var checksums = new List<string>();
        var failure = (Exception?)null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int concurrency = PartPlanner.ConcurrencyFor(Options, partSize, int.MaxValue);
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var inflight = new List<Task>();
        long total = 0;
        try
        {
            PartBuffer? buffer = first;
            int length = firstLength;
            await slots.WaitAsync(cts.Token).ConfigureAwait(false); // every part in flight holds a slot, the first too
            for (int partNumber = 1; ; partNumber++)
            {
                if (partNumber > PartPlanner.MaximumPartCount)
                {
                    buffer?.Return();
                    throw new TransferException($"the stream is longer than {PartPlanner.MaximumPartCount} parts of {partSize} bytes; set a larger PartSize",
                        bucket, key, uploadId);
                }
                var data = buffer!.Memory[..length];
                string checksum = PartChecksums.Base64Of(algorithm, data.Span);
                checksums.Add(checksum);
                total += length;
                var part = buffer;
                int number = partNumber;
                inflight.Add(Task.Run(async () =>
                {
                    try
                    {
                        var response = await Client.UploadPartAsync(new UploadPartRequest(bucket, key, uploadId, number)
                        {
                            ChecksumAlgorithm = algorithm, ChecksumValue = checksum, CustomerKey = options.CustomerKey,
                        }, data, cts.Token).ConfigureAwait(false);
                        lock (completed) completed.Add(response.ToCompletedPart());
                        tracker.AddBytes(data.Length);
                        tracker.PartDone();
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref failure, e, null);
                        await cts.CancelAsync().ConfigureAwait(false);
                    }
                    finally
                    {
                        part.Return();
                        slots.Release();
                    }
                }, CancellationToken.None));
                if (length < partSize) break; // the stream ended inside this part
                await slots.WaitAsync(cts.Token).ConfigureAwait(false);
                buffer = null;
                buffer = await Memory.RentAsync((int)partSize, cts.Token).ConfigureAwait(false);
                try { length = await FillAsync(source, buffer.Memory, cts.Token).ConfigureAwait(false); }
                catch { buffer.Return(); slots.Release(); throw; }
                if (length == 0) { buffer.Return(); slots.Release(); break; }
            }
            await Task.WhenAll(inflight).ConfigureAwait(false);
            if (failure != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            var plan = new PartPlan(total, partSize, checksums.Count, concurrency);
            var sums = new PartChecksums(algorithm, plan);
            for (int i = 0; i < checksums.Count; i++) sums.TrySetBase64(i, checksums[i]);
            tracker.SetTotal(total, checksums.Count);
            return await CompleteAsync(bucket, key, uploadId, plan, sums, completed, 0, tracker, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not TransferException)
        {
            try { await Task.WhenAll(inflight).ConfigureAwait(false); } catch (Exception) { } // buffers come back before we leave
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                await AbortIfAskedAsync(bucket, key, uploadId, options).ConfigureAwait(false);
                throw;
            }
            throw await UploadFailedAsync(bucket, key, uploadId, options, failure ?? e).ConfigureAwait(false);
        }
    }

    /// <summary>The options with the type of <paramref name="path"/> filled in when they ask for a guess.</summary>
    private static UploadOptions WithGuessedType(UploadOptions options, string path) =>
        options is { ContentType: null, GuessContentType: true } ? options with { ContentType = MimeTypes.Guess(path), GuessContentType = false } : options;

    private const string CompositeType = "COMPOSITE";

    private ChecksumAlgorithm EffectiveAlgorithm => Algorithm == ChecksumAlgorithm.None ? ChecksumAlgorithm.Crc64Nvme : Algorithm;

    /// <summary>
    /// The CreateMultipartUpload of an upload: its checksum algorithm, and for SHA-1/SHA-256 the COMPOSITE type said
    /// outright (the only one S3 offers for them: digests do not combine into the whole object's).
    /// </summary>
    private static PutObjectRequest CreateRequest(string bucket, string key, UploadOptions options, ChecksumAlgorithm algorithm) =>
        PutRequest(bucket, key, options) with
        {
            ChecksumAlgorithm = algorithm,
            ChecksumType = algorithm.IsCombinable() ? null : CompositeType,
        };

    private static async ValueTask<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = await source.ReadAsync(buffer[done..], cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            done += n;
        }
        return done;
    }

    /// <summary>The PutObject / CreateMultipartUpload of an upload (a stream has no name to guess a type from).</summary>
    private static PutObjectRequest PutRequest(string bucket, string key, UploadOptions options) => new(bucket, key)
    {
        ContentType = options.ContentType,
        CacheControl = options.CacheControl,
        ContentDisposition = options.ContentDisposition,
        ContentEncoding = options.ContentEncoding,
        ContentLanguage = options.ContentLanguage,
        Expires = options.Expires,
        StorageClass = options.StorageClass,
        Metadata = options.Metadata,
        Acl = options.Acl,
        ServerSideEncryption = options.ServerSideEncryption,
        SseKmsKeyId = options.SseKmsKeyId,
        CustomerKey = options.CustomerKey,
        Tags = options.Tags,
        ObjectLockMode = options.ObjectLockMode,
        ObjectLockRetainUntilDate = options.ObjectLockRetainUntilDate,
        ObjectLockLegalHold = options.ObjectLockLegalHold,
    };

    private async Task<TransferResult> PutSingleAsync(string bucket, string key, UploadOptions options, ReadOnlyMemory<byte> data,
        ProgressTracker tracker, CancellationToken cancellationToken)
    {
        var algorithm = EffectiveAlgorithm;
        string ours = PartChecksums.Base64Of(algorithm, data.Span);
        var response = await Client.PutObjectAsync(PutRequest(bucket, key, options) with { ChecksumAlgorithm = algorithm, ChecksumValue = ours },
            data, cancellationToken).ConfigureAwait(false);
        // The server verified our checksum against the bytes it received (BadDigest otherwise); if it echoes a value
        // it must be ours.
        string? echoed = ChecksumOf(response.Checksums, algorithm);
        if (echoed != null && echoed != ours)
            throw new ChecksumMismatchException($"s3://{bucket}/{key}: the server stored {algorithm.GetS3Name()} {echoed} for bytes whose checksum is {ours}",
                bucket, key, echoed, ours);
        tracker.AddBytes(data.Length);
        tracker.PartDone();
        tracker.Complete();
        return new TransferResult
        {
            Bucket = bucket, Key = key, Size = data.Length, ETag = response.ETag, PartCount = 1,
            ChecksumAlgorithm = algorithm, Checksum = echoed ?? ours, Verification = TransferVerification.Checksum,
        };
    }

    private async Task<TransferResult> UploadMultipartAsync(string bucket, string key, UploadOptions options, PartPlan plan,
        ProgressTracker tracker, Func<long, PartBuffer, int, CancellationToken, ValueTask> readPart, CancellationToken cancellationToken)
    {
        var algorithm = EffectiveAlgorithm;
        var listed = new Dictionary<int, ListedPart>();
        string uploadId;
        if (options.ResumeUploadId is { } resumeId)
        {
            uploadId = resumeId;
            try
            {
                // The parts must carry the upload's own checksum, whatever this engine would choose for a new one: an
                // upload another tool created may have another algorithm, or none.
                var (own, known) = await ListUploadAsync(bucket, key, uploadId, listed, cancellationToken).ConfigureAwait(false);
                own ??= algorithm;
                if (known && own != algorithm && options.RequireChecksumAlgorithm)
                    throw new TransferException($"cannot resume upload {uploadId} of s3://{bucket}/{key} with {algorithm.GetS3Name()} checksums: " +
                        $"it was created with {own.Value.GetS3Name()} (resume it with that, or abort it and start over)",
                        bucket, key, uploadId);
                algorithm = own.Value;
            }
            catch (S3Exception e)
            {
                throw new TransferException($"cannot resume upload {uploadId} of s3://{bucket}/{key}: {e.Message}", bucket, key, uploadId, e);
            }
            // Parts must be cut as before: take the part size the earlier attempt used.
            if (listed.TryGetValue(1, out var p1) && p1.Size != plan.PartSize && listed.Count > 1 && p1.Size >= PartPlanner.MinimumPartSize)
            {
                int count = PartPlanner.CountParts(plan.ObjectSize, p1.Size);
                plan = plan with { PartSize = p1.Size, PartCount = count, Concurrency = PartPlanner.ConcurrencyFor(Options, p1.Size, count) };
            }
        }
        else
        {
            uploadId = await Client.CreateMultipartUploadAsync(CreateRequest(bucket, key, options, algorithm), cancellationToken).ConfigureAwait(false);
        }
        tracker.SetTotal(plan.ObjectSize, plan.PartCount);
        // Without a checksum algorithm (a resumed upload created so), each part carries its MD5 as Content-MD5 instead.
        var sums = algorithm == ChecksumAlgorithm.None ? null : new PartChecksums(algorithm, plan);
        var md5s = sums is null ? new byte[Md5Digest.HashSizeInBytes * plan.PartCount] : null;
        var completed = new CompletedPart[plan.PartCount];
        int resumed = 0;
        try
        {
            await PartScheduler.RunAsync(Enumerable.Range(0, plan.PartCount).ToArray(), plan.Concurrency,
                (index, ct) => Memory.RentAsync((int)Math.Max(1, plan.LengthOf(index)), ct),
                async (index, buffer, ct) =>
                {
                    try
                    {
                        int length = (int)plan.LengthOf(index);
                        var data = buffer.Memory[..length];
                        await readPart(plan.OffsetOf(index), buffer, length, ct).ConfigureAwait(false);
                        string? checksum = sums?.Put(index, data.Span);
                        string? md5 = null;
                        if (md5s != null)
                        {
                            var slot = md5s.AsSpan(index * Md5Digest.HashSizeInBytes, Md5Digest.HashSizeInBytes);
                            Md5Digest.HashData(data.Span, slot); // Content-MD5: S3's integrity check, not a security use
                            md5 = Convert.ToBase64String(slot);
                        }
                        if (listed.TryGetValue(index + 1, out var have) && have.Size == length && SamePart(have, algorithm, checksum, data.Span))
                        {
                            var part = new CompletedPart { PartNumber = index + 1, ETag = have.ETag };
                            // Listed with it, the part is listed with it at Complete too; a server that lists none (it has
                            // none, or ignores checksums) must not be told one.
                            if (checksum != null && ChecksumOf(have.Checksums, algorithm) != null) SetChecksum(part.Checksums, algorithm, checksum);
                            completed[index] = part;
                            Interlocked.Increment(ref resumed);
                        }
                        else
                        {
                            var response = await Client.UploadPartAsync(new UploadPartRequest(bucket, key, uploadId, index + 1)
                            {
                                ChecksumAlgorithm = algorithm, ChecksumValue = checksum, ContentMd5 = md5, CustomerKey = options.CustomerKey,
                            }, data, ct).ConfigureAwait(false);
                            completed[index] = response.ToCompletedPart();
                        }
                        tracker.AddBytes(length);
                        tracker.PartDone();
                    }
                    finally { buffer.Return(); }
                },
                cancellationToken).ConfigureAwait(false);
            return sums is null
                ? await CompleteUncheckedAsync(bucket, key, uploadId, plan, md5s!, completed, resumed, tracker, cancellationToken).ConfigureAwait(false)
                : await CompleteAsync(bucket, key, uploadId, plan, sums, completed, resumed, tracker, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await AbortIfAskedAsync(bucket, key, uploadId, options).ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (e is not TransferException)
        {
            throw await UploadFailedAsync(bucket, key, uploadId, options, e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lists an upload's parts into <paramref name="listed"/> and returns its checksum algorithm: the one ListParts
    /// reports, else the one its parts carry (both <c>Known</c>); when it has parts and neither names one,
    /// <see cref="ChecksumAlgorithm.None"/>, not known: the upload was created without one (another tool's), or the
    /// server keeps no checksums (Ceph RGW 16), and parts without any suit both; null when nothing tells (no parts).
    /// </summary>
    private async Task<(ChecksumAlgorithm? Algorithm, bool Known)> ListUploadAsync(string bucket, string key, string uploadId,
        Dictionary<int, ListedPart> listed, CancellationToken cancellationToken)
    {
        ChecksumAlgorithm? reported = null;
        for (int marker = 0; ;)
        {
            var page = await Client.ListPartsPageAsync(bucket, key, uploadId, marker, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (page.ChecksumAlgorithm is { } name && ChecksumAlgorithmExtensions.TryParse(name.AsSpan().Trim(), out var named)) reported = named;
            foreach (var part in page.Parts) listed[part.PartNumber] = part;
            if (!page.IsTruncated || page.NextPartNumberMarker is not { } next || next <= marker) break;
            marker = next;
        }
        if (reported != null) return (reported, true);
        foreach (var part in listed.Values)
            for (var candidate = ChecksumAlgorithm.Crc32; candidate <= ChecksumAlgorithm.Sha256; candidate++)
                if (ChecksumOf(part.Checksums, candidate) != null) return (candidate, true);
        return (listed.Count > 0 ? ChecksumAlgorithm.None : null, false);
    }

    /// <summary>
    /// A cancelled upload is left for a resume, unless <see cref="UploadOptions.AbortOnFailure"/> asks that nothing be
    /// left behind (the caller cannot resume it, e.g. its stream is gone): then it is aborted, best effort.
    /// </summary>
    private async Task AbortIfAskedAsync(string bucket, string key, string uploadId, UploadOptions options)
    {
        if (!options.AbortOnFailure) return;
        try { await Client.AbortMultipartUploadAsync(bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is S3Exception or IOException or OperationCanceledException) { }
    }

    /// <summary>A listed part is ours when its checksum matches, or (without one) its ETag is the MD5 of our bytes.</summary>
    private static bool SamePart(ListedPart have, ChecksumAlgorithm algorithm, string? checksum, ReadOnlySpan<byte> data)
    {
        string? listedChecksum = checksum is null ? null : ChecksumOf(have.Checksums, algorithm);
        if (listedChecksum != null) return listedChecksum == checksum;
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        Md5Digest.HashData(data, md5); // ETag of a part: S3's format, not a security use
        Span<byte> listed = stackalloc byte[Md5Digest.HashSizeInBytes];
        return ETag.TryParse(have.ETag, listed, out int parts) && parts == 0 && listed.SequenceEqual(md5);
    }

    private static void SetChecksum(ObjectChecksums checksums, ChecksumAlgorithm algorithm, string value) => checksums.Set(algorithm, value);

    private async Task<TransferResult> CompleteAsync(string bucket, string key, string uploadId, PartPlan plan, PartChecksums sums,
        IEnumerable<CompletedPart> parts, int resumed, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        var result = await Client.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, cancellationToken).ConfigureAwait(false);
        string? stored = ChecksumOf(result.Checksums, sums.Algorithm);
        // A SHA digest has no full-object form: a server stores its composite (or none).
        string expected = !sums.IsCombinable || stored != null && stored.Contains('-', StringComparison.Ordinal)
            ? sums.Composite() : sums.FullObject()!;
        if (stored != null && stored != expected)
            throw new ChecksumMismatchException($"s3://{bucket}/{key}: the server assembled an object with {sums.Algorithm.GetS3Name()} {stored}; " +
                $"the parts sent combine to {expected}", bucket, key, stored, expected);
        tracker.Complete();
        return new TransferResult
        {
            Bucket = bucket, Key = key, Size = plan.ObjectSize, ETag = result.ETag, PartCount = plan.PartCount, ResumedParts = resumed,
            ChecksumAlgorithm = sums.Algorithm, Checksum = stored ?? expected, UploadId = uploadId,
            Verification = stored != null ? TransferVerification.Checksum : TransferVerification.None,
            UnverifiedReason = stored != null ? null : "the server reported no checksum for the completed upload",
        };
    }

    /// <summary>
    /// Completes an upload that has no checksum algorithm (each new part was checked by the server against its
    /// Content-MD5, each kept one by its MD5 ETag): the object is verified when its ETag is the multipart ETag of the
    /// parts' MD5s, which servers that keep MD5 ETags compute.
    /// </summary>
    private async Task<TransferResult> CompleteUncheckedAsync(string bucket, string key, string uploadId, PartPlan plan, byte[] md5s,
        IEnumerable<CompletedPart> parts, int resumed, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        var result = await Client.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, cancellationToken).ConfigureAwait(false);
        using var etag = new MultipartETag();
        for (int i = 0; i < plan.PartCount; i++) etag.AddPart(md5s.AsSpan(i * Md5Digest.HashSizeInBytes, Md5Digest.HashSizeInBytes));
        string expected = etag.FormatUnquoted();
        bool verified = result.ETag != null && ETag.Unquote(result.ETag.AsSpan().Trim()).Equals(expected, StringComparison.OrdinalIgnoreCase);
        tracker.Complete();
        return new TransferResult
        {
            Bucket = bucket, Key = key, Size = plan.ObjectSize, ETag = result.ETag, PartCount = plan.PartCount, ResumedParts = resumed,
            UploadId = uploadId,
            Verification = verified ? TransferVerification.MultipartETag : TransferVerification.None,
            UnverifiedReason = verified ? null
                : $"upload {uploadId} has no checksum algorithm and the server's ETag {result.ETag} is not the multipart ETag of the parts sent ({expected})",
        };
    }

    private async Task<TransferException> UploadFailedAsync(string bucket, string key, string uploadId, UploadOptions options, Exception cause)
    {
        if (options.AbortOnFailure)
        {
            try { await Client.AbortMultipartUploadAsync(bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception abort) when (abort is S3Exception or IOException)
            {
                return new TransferException($"upload of s3://{bucket}/{key} failed ({cause.Message}) and aborting upload {uploadId} failed too " +
                    $"({abort.Message})", bucket, key, uploadId, cause);
            }
            return new TransferException($"upload of s3://{bucket}/{key} failed: {cause.Message} (upload {uploadId} aborted)", bucket, key, null, cause);
        }
        return new TransferException($"upload of s3://{bucket}/{key} failed: {cause.Message} (resume with upload id {uploadId}, or abort it)",
            bucket, key, uploadId, cause);
    }
}
