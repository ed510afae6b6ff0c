using System.Text;
using Sluice.Client.Transport;
using Sluice.S3.Errors;
using Sluice.S3.Xml;

namespace Sluice.Client;

// Bucket policies (GetBucketPolicy, PutBucketPolicy, DeleteBucketPolicy, GetBucketPolicyStatus).
public sealed partial class S3Client
{
    /// <summary>GetBucketPolicy: the bucket's policy document as stored; null when it has none (S3's NoSuchBucketPolicy).</summary>
    public async Task<string?> GetBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            S3CallResult result = await _transport.SendAsync(S3Call.Create("GET", bucket, null, "policy", idempotent: true),
                ResponseSink.Collect, cancellationToken).ConfigureAwait(false);
            try
            {
                return Encoding.UTF8.GetString(result.BodyMemory.Span);
            }
            finally
            {
                result.ReturnBody();
            }
        }
        catch (S3Exception e) when (e.Code == S3ErrorCode.NoSuchBucketPolicy)
        {
            return null;
        }
    }

    /// <summary>PutBucketPolicy: replaces the bucket's policy with <paramref name="policy"/> (a JSON document, sent
    /// as given; the server validates it: MalformedPolicy otherwise).</summary>
    public async Task PutBucketPolicyAsync(string bucket, string policy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(policy);
        byte[] document = Encoding.UTF8.GetBytes(policy);
        await PutSubresourceAsync(bucket, null, "policy", document, cancellationToken, "application/json").ConfigureAwait(false);
    }

    /// <summary>DeleteBucketPolicy (succeeds when the bucket has none).</summary>
    public Task DeleteBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteSubresourceAsync(bucket, "policy", cancellationToken);

    /// <summary>GetBucketPolicyStatus: whether the bucket's policy makes it public; null when it has no policy (S3
    /// answers NoSuchBucketPolicy).</summary>
    public async Task<bool?> GetBucketPolicyStatusAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            PolicyStatus status = await SendXmlAsync(S3Call.Create("GET", bucket, null, "policyStatus", idempotent: true),
                PolicyStatus.Read, cancellationToken).ConfigureAwait(false);
            return status.IsPublic;
        }
        catch (S3Exception e) when (e.Code == S3ErrorCode.NoSuchBucketPolicy)
        {
            return null;
        }
    }
}
