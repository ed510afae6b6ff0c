using System.Buffers;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Access;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

public sealed partial class S3RequestHandler
{
    /// <summary>
    /// ListBuckets. Without a parameter every bucket, as before pagination existed; with max-buckets,
    /// continuation-token, prefix or bucket-region a page in name order: at most max-buckets (all when absent) of the
    /// buckets after the token's that start with the prefix and are in the region asked (this server has one), with a
    /// ContinuationToken while more remain and the Prefix echoed. The token is opaque to clients (the last name
    /// returned, base64url-encoded); one that does not decode is InvalidArgument.
    /// </summary>
    internal async ValueTask ListBucketsAsync(S3Exchange x, RequestContext c)
    {
        var q = c.Route.Query;
        var buckets = await _objects.ListBucketsAsync();
        var caller = c.Caller ?? throw DeniedException("/");
        // Each user sees the buckets it owns; the administrator sees every bucket.
        var result = new ListAllMyBucketsResult { Owner = OwnerOf(caller.CanonicalId) };
        bool Visible(Storage.BucketInfo b) => caller.IsAdmin || (b.OwnerId ?? Users.LegacyOwner) == caller.CanonicalId;
        if (!q.PaginatesBuckets)
        {
            foreach (var b in buckets)
            {
                if (Visible(b)) result.Buckets.Add(new ListedBucket { Name = b.Name, CreationDate = b.CreationDate, BucketRegion = _region });
            }
        }
        else
        {
            string? after = null;
            if (q.Has(Routing.S3QueryParameter.ContinuationToken))
            {
                after = BucketToken.Decode(q.GetString(Routing.S3QueryParameter.ContinuationToken)!);
                if (after == null)
                    throw new S3RequestException(S3Problem.InvalidArgument("The continuation token provided is incorrect", "continuation-token",
                        q.Get(Routing.S3QueryParameter.ContinuationToken)).ToError());
            }
            string prefix = q.GetString(Routing.S3QueryParameter.Prefix) ?? string.Empty;
            string? region = q.GetString(Routing.S3QueryParameter.BucketRegion);
            int max = q.MaxBuckets > 0 ? q.MaxBuckets : int.MaxValue;
            if (q.Has(Routing.S3QueryParameter.Prefix)) result.Prefix = prefix;
            if (region == null || string.Equals(region, _region, StringComparison.Ordinal))
            {
                foreach (var b in buckets.OrderBy(b => b.Name, StringComparer.Ordinal))
                {
                    if (!Visible(b)) continue;
                    if (after != null && string.CompareOrdinal(b.Name, after) <= 0) continue;
                    if (!b.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                    if (result.Buckets.Count == max)
                    {
                        result.ContinuationToken = BucketToken.Encode(result.Buckets[^1].Name);
                        break;
                    }
                    result.Buckets.Add(new ListedBucket { Name = b.Name, CreationDate = b.CreationDate, BucketRegion = _region });
                }
            }
        }
        var body = new ArrayBufferWriter<byte>(256 + (result.Buckets.Count * 128));
        result.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    internal async ValueTask CreateBucketAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        byte[] xml = await ReadSmallPayloadAsync(x, c.Payload, auth);
        if (xml.AsSpan().Trim(" \t\r\n"u8).Length > 0)
        {
            var config = CreateBucketConfiguration.Read(xml);
            if (!config.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, config.Detail);
            string? location = config.Value!.LocationConstraint;
            // us-east-1 is the empty constraint; any other must name this server's region.
            if (!string.IsNullOrEmpty(location) && !string.Equals(location, _region, StringComparison.Ordinal))
                ThrowProblem(S3ErrorCode.InvalidLocationConstraint,
                    $"The specified location-constraint is not valid for this server (region {_region}).");
        }
        var caller = c.Caller ?? throw DeniedException("/" + bucket);
        var acl = ReadRequestAcl(x, caller.CanonicalId, caller.CanonicalId, forBucket: true);
        var ownership = RequestedOwnership(x);
        // A bucket created without ACLs takes no ACL but its owner's FULL_CONTROL (S3's answer for any other).
        if (ownership == ObjectOwnership.BucketOwnerEnforced && acl != null && !acl.IsOwnerFullControlOnly)
            ThrowProblem(S3ErrorCode.InvalidBucketAclWithObjectOwnership);
        bool created = false;
        try
        {
            await _objects.CreateBucketAsync(bucket, caller.CanonicalId, acl?.ToBytes());
            created = true;
        }
        catch (S3StorageException e) when (e.Error.Code == S3ErrorCode.BucketAlreadyOwnedByYou)
        {
            var existing = await _objects.GetBucketAsync(bucket);
            // Another user's bucket: the name is taken. The caller's own: 409 BucketAlreadyOwnedByYou everywhere but
            // us-east-1, where S3 keeps its legacy answer — 200, and the bucket's ACL reset to the request's.
            if ((existing.OwnerId ?? Users.LegacyOwner) != caller.CanonicalId)
                throw new S3RequestException(new S3Error(S3ErrorCode.BucketAlreadyExists) { Resource = "/" + bucket }.WithDetail("BucketName", bucket));
            if (_region != "us-east-1") throw;
            await _objects.SetBucketSettingAsync(bucket, BucketSetting.Acl, acl?.ToBytes());
            AccessCache.Invalidate(bucket);
        }
        // A bucket created again (us-east-1's 200) keeps the object lock it has or lacks: lock is chosen at creation only.
        // Also on us-east-1's re-creation (its ACL was just reset to the request's): the request's setting is never ignored.
        if (ownership != null) await SetOwnershipAsync(bucket, ownership.Value);
        if (created && AsksForObjectLock(x)) await EnableObjectLockOnNewBucketAsync(bucket);
        else if (created) ForgetBucketLock(bucket);
        x.SetStatus(200);
        x.AddHeader(KnownHeader.Location, Utf8("/" + bucket));
        await x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    internal async ValueTask HeadBucketAsync(S3Exchange x, RequestContext c)
    {
        await _objects.GetBucketAsync(c.Route.GetBucketString());
        x.SetStatus(200);
        AddHeader(x, KnownHeader.XAmzBucketRegion, _region);
        await x.SendHeadAsync(0);
    }

    internal async ValueTask DeleteBucketAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.DeleteBucketAsync(bucket);
        BucketPolicies.Forget(bucket); // a bucket created again under the name has no policy (forgotten first: the
        AccessCache.Invalidate(bucket); // access state reloaded next must not find the old one), its new owner and ACL,
        ForgetBucketEncryption(bucket); // no default encryption
        ForgetExpirationRules(bucket); // nor lifecycle rules
        ForgetBucketLock(bucket); // nor object lock
        _cors.Forget(bucket); // nor CORS rules
        await SendEmptyAsync(x, 204);
    }

    internal async ValueTask GetBucketLocationAsync(S3Exchange x, RequestContext c)
    {
        await _objects.GetBucketAsync(c.Route.GetBucketString());
        // S3 reports us-east-1 as an empty LocationConstraint.
        var result = new LocationConstraint { Region = _region == "us-east-1" ? null : _region };
        var body = new ArrayBufferWriter<byte>(256);
        result.WriteTo(body);
        await SendXmlAsync(x, body);
    }
}
