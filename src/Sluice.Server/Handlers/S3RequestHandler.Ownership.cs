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
/// Object ownership: Get/Put/DeleteBucketOwnershipControls and CreateBucket's x-amz-object-ownership. The setting is
/// stored as its canonical XML (a durable bucket setting on either store) and applied from the bucket's cached
/// access state (<see cref="BucketAccess.Ownership"/>), which every change invalidates: BucketOwnerEnforced disables
/// ACLs, BucketOwnerPreferred gives the bucket owner objects written with bucket-owner-full-control.
/// </summary>
public sealed partial class S3RequestHandler
{
    private const string ObjectOwnershipHeader = "x-amz-object-ownership";

    internal async ValueTask GetBucketOwnershipControlsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, BucketSetting.OwnershipControls);
        if (document == null)
            throw new S3RequestException(new S3Error(S3ErrorCode.OwnershipControlsNotFoundError) { Resource = "/" + bucket }
                .WithDetail("BucketName", bucket));
        x.SetStatus(200);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        await x.SendAsync(document);
    }

    internal async ValueTask PutBucketOwnershipControlsAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        var read = OwnershipControls.Read(xml);
        if (!read.IsSuccess || read.Value!.RuleCount != 1 || !BucketAccessCache.TryParseOwnership(read.Value.ObjectOwnership, out var ownership))
            ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        else await SetOwnershipAsync(bucket, ownership);
        await SendEmptyAsync(x, 200);
    }

    internal async ValueTask DeleteBucketOwnershipControlsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.OwnershipControls, null);
        AccessCache.Invalidate(bucket);
        await SendEmptyAsync(x, 204);
    }

    /// <summary>Stores the bucket's object ownership; disabling ACLs on a bucket whose ACL grants anyone but its owner
    /// is 400 InvalidBucketAclWithObjectOwnership, as S3 answers (the ACL must be reset first).</summary>
    private async ValueTask SetOwnershipAsync(string bucket, ObjectOwnership ownership)
    {
        if (ownership == ObjectOwnership.BucketOwnerEnforced)
        {
            byte[]? stored = await _objects.GetBucketSettingAsync(bucket, BucketSetting.Acl);
            if (stored != null && !AccessControlList.Parse(stored).IsOwnerFullControlOnly)
                ThrowProblem(S3ErrorCode.InvalidBucketAclWithObjectOwnership);
        }
        var body = new ArrayBufferWriter<byte>(200);
        new OwnershipControls { ObjectOwnership = ownership.ToString(), RuleCount = 1 }.WriteTo(body);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.OwnershipControls, body.WrittenSpan.ToArray());
        AccessCache.Invalidate(bucket);
    }

    /// <summary>CreateBucket's x-amz-object-ownership (validated by the feature rules); null when not sent.</summary>
    private static ObjectOwnership? RequestedOwnership(S3Exchange x)
    {
        string? value = FindHeader(x, ObjectOwnershipHeader);
        return value != null && BucketAccessCache.TryParseOwnership(value.Trim(), out var ownership) ? ownership : null;
    }
}
