using System.Buffers;
using Sluice.Client.Transport;
using Sluice.S3.Cors;

namespace Sluice.Client;

// Bucket CORS configuration (GetBucketCors, PutBucketCors, DeleteBucketCors).
public sealed partial class S3Client
{
    /// <summary>GetBucketCors: the bucket's cross-origin rules, or null when it has none (S3's NoSuchCORSConfiguration).</summary>
    public async Task<CorsConfiguration?> GetBucketCorsAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            return await SendXmlAsync(S3Call.Create("GET", bucket, null, "cors", idempotent: true), CorsConfiguration.Read,
                cancellationToken).ConfigureAwait(false);
        }
        catch (S3Exception e) when (e.Code == Sluice.S3.Errors.S3ErrorCode.NoSuchCORSConfiguration)
        {
            return null;
        }
    }

    /// <summary>
    /// PutBucketCors: replaces the bucket's rules. The configuration is checked first (<see cref="CorsConfiguration.Validate"/>:
    /// 1 to 100 rules, S3's five methods, one <c>*</c> at most per origin or allowed header): an invalid one throws
    /// <see cref="ArgumentException"/> without a request.
    /// </summary>
    public async Task PutBucketCorsAsync(string bucket, CorsConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(configuration);
        var problem = configuration.Validate();
        if (!problem.IsNone) throw new ArgumentException(problem.Message, nameof(configuration));
        var body = new ArrayBufferWriter<byte>();
        configuration.WriteTo(body);
        await PutBucketCorsAsync(bucket, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PutBucketCors with the document as given (S3's CORSConfiguration XML, sent unchanged with its Content-MD5,
    /// which S3 requires).</summary>
    public Task PutBucketCorsAsync(string bucket, ReadOnlyMemory<byte> document, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return PutSubresourceAsync(bucket, null, "cors", document, cancellationToken);
    }

    /// <summary>DeleteBucketCors (204 whether or not the bucket had rules).</summary>
    public Task DeleteBucketCorsAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteSubresourceAsync(bucket, "cors", cancellationToken);
}
