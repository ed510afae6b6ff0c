using System.Buffers;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Xml;
using Sluice.Server.Access;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// The bucket's public access block: Get/Put/DeletePublicAccessBlock. The configuration is stored as its canonical
/// XML (a durable bucket setting on either store) and applied by the authorization stage from the bucket's cached
/// access state (<see cref="BucketAccess.Block"/>), which every change invalidates.
/// </summary>
public sealed partial class S3RequestHandler
{
    internal async ValueTask GetPublicAccessBlockAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, BucketSetting.PublicAccessBlock);
        if (document == null)
            throw new S3RequestException(new S3Error(S3ErrorCode.NoSuchPublicAccessBlockConfiguration) { Resource = "/" + bucket }
                .WithDetail("BucketName", bucket));
        x.SetStatus(200);
        x.AddHeader(Sluice.S3.Http.KnownHeader.ContentType, "application/xml"u8);
        await x.SendAsync(document);
    }

    internal async ValueTask PutPublicAccessBlockAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        // S3 requires an integrity header on this call (Content-MD5 or an x-amz-checksum-*).
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        var read = PublicAccessBlockConfiguration.ReadRequest(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        var canonical = new ArrayBufferWriter<byte>(320);
        read.Value!.WriteTo(canonical);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.PublicAccessBlock, canonical.WrittenSpan.ToArray());
        AccessCache.Invalidate(bucket); // the next request is judged by the new block
        await SendEmptyAsync(x, 200);
    }

    internal async ValueTask DeletePublicAccessBlockAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.PublicAccessBlock, null);
        AccessCache.Invalidate(bucket);
        await SendEmptyAsync(x, 204);
    }

    /// <summary>BlockPublicAcls: a request that would set a public ACL (a canned public-read, public-read-write or
    /// authenticated-read, or grants to AllUsers or AuthenticatedUsers) on the bucket or one of its objects is
    /// AccessDenied, as S3 answers.</summary>
    private static void CheckPublicAclAllowed(RequestContext c, AccessControlList? acl)
    {
        if (acl != null && c.Bucket?.Block?.BlockPublicAcls == true && acl.IsPublic) throw DeniedException(c.Route.GetResource());
    }
}
