using System.Buffers;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Access;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Bucket policies: Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus. The document is validated whole by
/// <see cref="BucketPolicy.Parse"/> (MalformedPolicy, PolicyTooLarge as S3 answers), stored byte for byte as written
/// (a durable bucket setting on either store), and kept parsed in <see cref="BucketPolicies"/> for the authorization
/// stage, so no request re-reads or re-parses it.
/// </summary>
public sealed partial class S3RequestHandler
{
    private BucketPolicyCache? _bucketPolicies;

    /// <summary>Each bucket's parsed policy, for the authorization stage (<see cref="BucketPolicyCache.GetAsync"/>).</summary>
    internal BucketPolicyCache BucketPolicies => LazyInitializer.EnsureInitialized(ref _bucketPolicies,
        () => new BucketPolicyCache(b => _objects.GetBucketSettingAsync(b, BucketSetting.Policy)));

    internal async ValueTask GetBucketPolicyAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, BucketSetting.Policy);
        if (document == null) throw NoSuchBucketPolicy(bucket);
        x.SetStatus(200);
        x.AddHeader(KnownHeader.ContentType, "application/json"u8);
        await x.SendAsync(document);
    }

    internal async ValueTask PutBucketPolicyAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        byte[] document = await ReadPolicyBodyAsync(x, c, auth);
        BucketPolicy policy;
        try
        {
            policy = BucketPolicy.Parse(document, bucket);
        }
        catch (BucketPolicyException e)
        {
            throw new S3RequestException(new S3Error(e.Code, e.Message));
        }
        // BlockPublicPolicy: a public policy is refused (read from the store, not the cache: the block must hold even
        // while a change to it is in flight on another connection).
        if (policy.IsPublic && await BlocksPublicPolicyAsync(bucket)) throw DeniedException("/" + bucket);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Policy, document);
        BucketPolicies.Set(bucket, policy);
        AccessCache.Invalidate(bucket); // the authorization stage judges the next request by the new policy
        await SendEmptyAsync(x, 204);
    }

    internal async ValueTask DeleteBucketPolicyAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Policy, null);
        BucketPolicies.Set(bucket, null);
        AccessCache.Invalidate(bucket);
        await SendEmptyAsync(x, 204);
    }

    /// <summary>GetBucketPolicyStatus: NoSuchBucketPolicy without a policy (as S3 answers), else whether it is public.</summary>
    internal async ValueTask GetBucketPolicyStatusAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        var policy = await BucketPolicies.GetAsync(bucket) ?? throw NoSuchBucketPolicy(bucket);
        var body = new ArrayBufferWriter<byte>(160);
        new PolicyStatus { IsPublic = policy.IsPublic }.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    private async ValueTask<bool> BlocksPublicPolicyAsync(string bucket)
    {
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, BucketSetting.PublicAccessBlock);
        return document != null && PublicAccessBlock.Parse(document).BlockPublicPolicy;
    }

    private static S3RequestException NoSuchBucketPolicy(string bucket) =>
        new(new S3Error(S3ErrorCode.NoSuchBucketPolicy) { Resource = "/" + bucket }.WithDetail("BucketName", bucket));

    /// <summary>The request's policy document, its digests checked (Content-MD5 or x-amz-checksum-*, when sent); past
    /// S3's 20 KB limit, PolicyTooLarge without reading further.</summary>
    private static async ValueTask<byte[]> ReadPolicyBodyAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        if (!ObjectHeaders.TryGetChecksum(x, out var algorithm, out string? checksumHeader, out bool inTrailer))
            ThrowProblem(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header.");
        string? contentMd5 = ObjectHeaders.Get(x, KnownHeader.ContentMD5);
        CheckContentMd5Syntax(contentMd5);
        c.Payload.Reset(x, auth);
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            int n = await c.Payload.ReadAsync(buffer.GetMemory(4096));
            if (n == 0) break;
            buffer.Advance(n);
            if (buffer.WrittenCount > BucketPolicy.MaxDocumentBytes)
                ThrowProblem(S3ErrorCode.PolicyTooLarge);
        }
        byte[] document = buffer.WrittenSpan.ToArray();
        string? checksum = checksumHeader ?? (inTrailer ? ObjectHeaders.FindTrailer(c.Payload.Trailers, algorithm) : null);
        VerifyDigests(document, contentMd5, algorithm, checksum);
        return document;
    }
}
