using System.Buffers;
using Sluice.Client.Transport;
using Sluice.S3.Xml;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>ListBuckets: the buckets of the caller (and their owner).</summary>
    public Task<ListAllMyBucketsResult> ListBucketsAsync(CancellationToken cancellationToken = default) =>
        SendXmlAsync(S3Call.Create("GET", null, null, null, idempotent: true), ListAllMyBucketsResult.Read, cancellationToken);

    /// <summary>
    /// One page of ListBuckets: at most <paramref name="maxBuckets"/> (1 to 10000) buckets in name order, after
    /// <paramref name="continuationToken"/> (the previous page's <see cref="ListAllMyBucketsResult.ContinuationToken"/>),
    /// those starting with <paramref name="prefix"/> and in <paramref name="bucketRegion"/> when given. The page's
    /// ContinuationToken is set while more remain.
    /// </summary>
    public Task<ListAllMyBucketsResult> ListBucketsPageAsync(int maxBuckets, string? continuationToken = null, string? prefix = null,
        string? bucketRegion = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBuckets, 10_000);
        var q = new System.Text.StringBuilder();
        AddQuery(q, "bucket-region", bucketRegion);
        AddQuery(q, "continuation-token", continuationToken);
        AddQuery(q, "max-buckets", maxBuckets.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AddQuery(q, "prefix", prefix);
        return SendXmlAsync(S3Call.Create("GET", null, null, q.ToString(), idempotent: true), ListAllMyBucketsResult.Read, cancellationToken);
    }

    /// <summary>Every page of ListBuckets (<see cref="ListBucketsPageAsync"/>), following the continuation tokens.</summary>
    public async IAsyncEnumerable<ListAllMyBucketsResult> ListBucketsPagesAsync(int maxBuckets = 1000, string? prefix = null,
        string? bucketRegion = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListBucketsPageAsync(maxBuckets, token, prefix, bucketRegion, cancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.ContinuationToken;
        } while (!string.IsNullOrEmpty(token));
    }

    /// <summary>CreateBucket; <paramref name="locationConstraint"/> is sent as CreateBucketConfiguration when given.</summary>
    public Task CreateBucketAsync(string bucket, string? locationConstraint = null, CancellationToken cancellationToken = default) =>
        CreateBucketAsync(bucket, locationConstraint, null, cancellationToken);

    /// <summary>CreateBucket with a canned ACL (x-amz-acl) for the new bucket.</summary>
    public async Task CreateBucketAsync(string bucket, string? locationConstraint, Model.CannedAcl? acl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        S3Call call = S3Call.Create("PUT", bucket, null, null, idempotent: true);
        if (acl is { } canned) call.Headers = [new("x-amz-acl", AclName(canned))];
        if (locationConstraint is not null)
        {
            var body = new ArrayBufferWriter<byte>();
            new CreateBucketConfiguration { LocationConstraint = locationConstraint }.WriteTo(body);
            call.Body = body.WrittenMemory;
            call.BodyLength = body.WrittenCount;
        }
        else
        {
            call.BodyLength = 0;
        }

        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>HeadBucket: succeeds when the bucket exists and is accessible; NoSuchBucket otherwise.</summary>
    public async Task HeadBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        S3Call call = S3Call.Create("HEAD", bucket, null, null, idempotent: true);
        call.NotFoundCode = Sluice.S3.Errors.S3ErrorCode.NoSuchBucket;
        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when HeadBucket succeeds, false on NoSuchBucket; other errors throw.</summary>
    public async Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken = default)
    {
        try
        {
            await HeadBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (S3Exception e) when (e.StatusCode == 404)
        {
            return false;
        }
    }

    /// <summary>DeleteBucket (the bucket must be empty: BucketNotEmpty otherwise).</summary>
    public async Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        await _transport.SendAsync(S3Call.Create("DELETE", bucket, null, null, idempotent: true), ResponseSink.Discard,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GetBucketLocation: the region constraint, null for us-east-1 (S3's empty element).</summary>
    public async Task<string?> GetBucketLocationAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        LocationConstraint location = await SendXmlAsync(S3Call.Create("GET", bucket, null, "location", idempotent: true),
            LocationConstraint.Read, cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(location.Region) ? null : location.Region;
    }
}
