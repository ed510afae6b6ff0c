using System.Buffers;
using Sluice.Client.Transport;
using Sluice.S3.Lifecycle;
using Sluice.S3.Xml;

namespace Sluice.Client;

// Bucket lifecycle configuration.
public sealed partial class S3Client
{
    /// <summary>GetBucketLifecycleConfiguration: the rules, or null when the bucket has none.</summary>
    public async Task<LifecycleConfiguration?> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            return await SendXmlAsync(S3Call.Create("GET", bucket, null, "lifecycle", idempotent: true),
                LifecycleConfiguration.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (S3Exception e) when (e.Code == Sluice.S3.Errors.S3ErrorCode.NoSuchLifecycleConfiguration)
        {
            return null;
        }
    }

    /// <summary>
    /// PutBucketLifecycleConfiguration: replaces the bucket's rules. The configuration is checked first
    /// (<see cref="LifecycleConfiguration.Validate"/>): an invalid one throws <see cref="ArgumentException"/> without a request.
    /// </summary>
    public async Task PutBucketLifecycleAsync(string bucket, LifecycleConfiguration configuration,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(configuration);
        var problem = configuration.Validate();
        if (!problem.IsNone) throw new ArgumentException(problem.Message, nameof(configuration));
        // The model does not carry transitions' details: writing it would drop them silently.
        if (configuration.Rules.Any(r => r.HasTransition))
            throw new ArgumentException("Transitions are not carried by LifecycleConfiguration: send the document itself.", nameof(configuration));
        var body = new ArrayBufferWriter<byte>();
        configuration.WriteTo(body);
        await PutBucketLifecycleAsync(bucket, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PutBucketLifecycleConfiguration with the document as given (S3's XML, sent unchanged).</summary>
    public Task PutBucketLifecycleAsync(string bucket, ReadOnlyMemory<byte> document, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return PutSubresourceAsync(bucket, null, "lifecycle", document, cancellationToken);
    }

    /// <summary>DeleteBucketLifecycle.</summary>
    public Task DeleteBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteSubresourceAsync(bucket, "lifecycle", cancellationToken);
}
