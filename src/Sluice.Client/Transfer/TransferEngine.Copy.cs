using Sluice.Client.Model;
using Sluice.S3.Xml;

namespace Sluice.Client.Transfer;

public sealed partial class TransferEngine
{
    /// <summary>S3: CopyObject copies at most 5 GiB; larger objects need UploadPartCopy.</summary>
    public const long MaximumSingleCopySize = 5L << 30;

    /// <summary>
    /// Server-side copy: one CopyObject up to <see cref="TransferOptions.MultipartCopyThreshold"/> (never above 5 GiB),
    /// else a multipart upload whose parts are UploadPartCopy ranges run in parallel. Every request is pinned to the
    /// source's ETag, so a source that changes mid-copy fails the copy instead of mixing versions. No bytes pass
    /// through this process, so no memory is reserved.
    /// </summary>
    public Task<TransferResult> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        CopyAsync(sourceBucket, sourceKey, bucket, key, options: null, progress, cancellationToken);

    /// <summary>A server-side copy with <paramref name="options"/>: metadata COPY or REPLACE, ACL, encryption, tags.</summary>
    public async Task<TransferResult> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key,
        CopyOptions? options, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceBucket);
        ArgumentException.ThrowIfNullOrEmpty(sourceKey);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        options ??= new CopyOptions();
        var sourceKeyOfCustomer = options.SourceCustomerKey ?? Options.SourceCustomerKey;
        var head = await Client.HeadObjectAsync(new GetObjectRequest(sourceBucket, sourceKey) { ChecksumMode = true, CustomerKey = sourceKeyOfCustomer, VersionId = Options.SourceVersionId },
            cancellationToken).ConfigureAwait(false);
        long size = head.ObjectSize;
        string? etag = head.ETag;
        var tracker = new ProgressTracker($"s3://{sourceBucket}/{sourceKey}", progress, Options.ProgressInterval, size, 1);
        if (size <= Math.Min(Options.MultipartCopyThreshold, MaximumSingleCopySize))
        {
            var copied = await Client.CopyObjectAsync(new CopyObjectRequest(sourceBucket, sourceKey, bucket, key)
            {
                SourceConditions = IfMatch(etag), SourceVersionId = Options.SourceVersionId,
                ReplaceMetadata = options.ReplaceMetadata,
                ContentType = options.ContentType, CacheControl = options.CacheControl, ContentDisposition = options.ContentDisposition,
                ContentEncoding = options.ContentEncoding, ContentLanguage = options.ContentLanguage, Expires = options.Expires,
                Metadata = options.Metadata, StorageClass = options.StorageClass, Acl = options.Acl,
                ServerSideEncryption = options.ServerSideEncryption, SseKmsKeyId = options.SseKmsKeyId, CustomerKey = options.CustomerKey,
                SourceCustomerKey = sourceKeyOfCustomer, Tags = options.Tags, ChecksumAlgorithm = options.ChecksumAlgorithm,
                ObjectLockMode = options.ObjectLockMode, ObjectLockRetainUntilDate = options.ObjectLockRetainUntilDate,
                ObjectLockLegalHold = options.ObjectLockLegalHold,
            }, cancellationToken).ConfigureAwait(false);
            tracker.AddBytes(size);
            tracker.PartDone();
            tracker.Complete();
            var (algorithm, value) = StoredChecksum(copied.Checksums);
            return new TransferResult { Bucket = bucket, Key = key, Size = size, ETag = copied.ETag, PartCount = 1, ChecksumAlgorithm = algorithm, Checksum = value };
        }

        // Parts carry no bytes through this process, so the budget does not limit them: plan as if memory were free.
        var plan = PartPlanner.Plan(size, new TransferOptions
        {
            TargetGbps = Options.TargetGbps, PartSize = Options.PartSize, Concurrency = Options.Concurrency, MemoryBudget = long.MaxValue,
        });
        tracker.SetTotal(size, plan.PartCount);
        // UploadPartCopy carries no metadata: the upload is created with the source's (COPY) or the given (REPLACE).
        var request = options.ReplaceMetadata
            ? new PutObjectRequest(bucket, key)
            {
                ContentType = options.ContentType, ContentEncoding = options.ContentEncoding, ContentDisposition = options.ContentDisposition,
                ContentLanguage = options.ContentLanguage, CacheControl = options.CacheControl, Expires = options.Expires, Metadata = options.Metadata,
            }
            : new PutObjectRequest(bucket, key)
            {
                ContentType = head.ContentType, ContentEncoding = head.ContentEncoding, ContentDisposition = head.ContentDisposition,
                ContentLanguage = head.ContentLanguage, CacheControl = head.CacheControl, Expires = head.Expires,
                Metadata = head.UserMetadata.Count > 0 ? head.UserMetadata : null,
            };
        request = request with
        {
            StorageClass = options.StorageClass, Acl = options.Acl, ServerSideEncryption = options.ServerSideEncryption,
            SseKmsKeyId = options.SseKmsKeyId, CustomerKey = options.CustomerKey, Tags = options.Tags, ChecksumAlgorithm = options.ChecksumAlgorithm,
            ObjectLockMode = options.ObjectLockMode, ObjectLockRetainUntilDate = options.ObjectLockRetainUntilDate,
            ObjectLockLegalHold = options.ObjectLockLegalHold,
        };
        string uploadId = await Client.CreateMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
        var completed = new CompletedPart[plan.PartCount];
        try
        {
            await PartScheduler.RunAsync(Enumerable.Range(0, plan.PartCount).ToArray(), plan.Concurrency,
                (_, _) => ValueTask.FromResult(0),
                async (index, _, ct) =>
                {
                    long offset = plan.OffsetOf(index), length = plan.LengthOf(index);
                    var response = await Client.UploadPartCopyAsync(new UploadPartCopyRequest(sourceBucket, sourceKey, bucket, key, uploadId, index + 1)
                    {
                        SourceRangeStart = offset, SourceRangeEnd = offset + length - 1, SourceConditions = IfMatch(etag), SourceVersionId = Options.SourceVersionId,
                        CustomerKey = options.CustomerKey, SourceCustomerKey = sourceKeyOfCustomer,
                    }, ct).ConfigureAwait(false);
                    completed[index] = response.ToCompletedPart();
                    tracker.AddBytes(length);
                    tracker.PartDone();
                },
                cancellationToken).ConfigureAwait(false);
            var result = await Client.CompleteMultipartUploadAsync(bucket, key, uploadId, completed, cancellationToken).ConfigureAwait(false);
            tracker.Complete();
            var (algorithm, value) = StoredChecksum(result.Checksums);
            return new TransferResult
            {
                Bucket = bucket, Key = key, Size = size, ETag = result.ETag, PartCount = plan.PartCount, UploadId = uploadId,
                ChecksumAlgorithm = algorithm, Checksum = value,
            };
        }
        catch (Exception e) when (e is not TransferException)
        {
            // A copy restarts cheaply (no local bytes), so a failed one never leaves an upload behind.
            try { await Client.AbortMultipartUploadAsync(bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception abort) when (abort is S3Exception or IOException) { }
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
            string why = IsPreconditionFailed(e) ? "the source changed during the copy" : e.Message;
            throw new TransferException($"copy of s3://{sourceBucket}/{sourceKey} to s3://{bucket}/{key} failed: {why}", bucket, key, null, e);
        }
    }
}
