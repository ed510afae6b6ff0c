using System.Buffers;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Errors;
using Sluice.S3.Xml;

namespace Sluice.Client;

// The public access block (Get/Put/DeletePublicAccessBlock) and object ownership (Get/Put/DeleteBucketOwnershipControls).
public sealed partial class S3Client
{
    /// <summary>GetPublicAccessBlock: the bucket's public access block; null when it has none (S3's
    /// NoSuchPublicAccessBlockConfiguration).</summary>
    public async Task<S3PublicAccessBlock?> GetPublicAccessBlockAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            var c = await SendXmlAsync(S3Call.Create("GET", bucket, null, "publicAccessBlock", idempotent: true),
                PublicAccessBlockConfiguration.Read, cancellationToken).ConfigureAwait(false);
            return new S3PublicAccessBlock(c.BlockPublicAcls, c.IgnorePublicAcls, c.BlockPublicPolicy, c.RestrictPublicBuckets);
        }
        catch (S3Exception e) when (e.Code == S3ErrorCode.NoSuchPublicAccessBlockConfiguration)
        {
            return null;
        }
    }

    /// <summary>PutPublicAccessBlock: replaces the bucket's public access block.</summary>
    public Task PutPublicAccessBlockAsync(string bucket, S3PublicAccessBlock block, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(block);
        var body = new ArrayBufferWriter<byte>(320);
        new PublicAccessBlockConfiguration
        {
            BlockPublicAcls = block.BlockPublicAcls,
            IgnorePublicAcls = block.IgnorePublicAcls,
            BlockPublicPolicy = block.BlockPublicPolicy,
            RestrictPublicBuckets = block.RestrictPublicBuckets,
        }.WriteTo(body);
        return PutSubresourceAsync(bucket, null, "publicAccessBlock", body.WrittenMemory, cancellationToken);
    }

    /// <summary>DeletePublicAccessBlock (succeeds when the bucket has none).</summary>
    public Task DeletePublicAccessBlockAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteSubresourceAsync(bucket, "publicAccessBlock", cancellationToken);

    /// <summary>GetBucketOwnershipControls: the bucket's ObjectOwnership (BucketOwnerEnforced, BucketOwnerPreferred or
    /// ObjectWriter); null when it has no ownership controls (S3's OwnershipControlsNotFoundError).</summary>
    public async Task<string?> GetBucketOwnershipControlsAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            var c = await SendXmlAsync(S3Call.Create("GET", bucket, null, "ownershipControls", idempotent: true),
                OwnershipControls.Read, cancellationToken).ConfigureAwait(false);
            return c.ObjectOwnership;
        }
        catch (S3Exception e) when (e.Code == S3ErrorCode.OwnershipControlsNotFoundError)
        {
            return null;
        }
    }

    /// <summary>PutBucketOwnershipControls with one rule naming <paramref name="objectOwnership"/>.</summary>
    public Task PutBucketOwnershipControlsAsync(string bucket, string objectOwnership, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(objectOwnership);
        var body = new ArrayBufferWriter<byte>(200);
        new OwnershipControls { ObjectOwnership = objectOwnership, RuleCount = 1 }.WriteTo(body);
        return PutSubresourceAsync(bucket, null, "ownershipControls", body.WrittenMemory, cancellationToken);
    }

    /// <summary>DeleteBucketOwnershipControls (succeeds when the bucket has none).</summary>
    public Task DeleteBucketOwnershipControlsAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteSubresourceAsync(bucket, "ownershipControls", cancellationToken);
}
