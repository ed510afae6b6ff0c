using System.Buffers;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Xml;

namespace Sluice.Client;

// ACLs: GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl (a canned ACL or a whole AccessControlPolicy).
public sealed partial class S3Client
{
    /// <summary>GetBucketAcl: the bucket's owner and grants.</summary>
    public async Task<S3Acl> GetBucketAclAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        var policy = await SendXmlAsync(S3Call.Create("GET", bucket, null, "acl", idempotent: true), AccessControlPolicy.Read,
            cancellationToken).ConfigureAwait(false);
        return ToModel(policy);
    }

    /// <summary>GetObjectAcl: the object's (or the version's) owner and grants.</summary>
    public async Task<S3Acl> GetObjectAclAsync(string bucket, string key, string? versionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var policy = await SendXmlAsync(S3Call.Create("GET", bucket, key, AclQuery(versionId), idempotent: true), AccessControlPolicy.Read,
            cancellationToken).ConfigureAwait(false);
        return ToModel(policy);
    }

    /// <summary>PutBucketAcl with a canned ACL (x-amz-acl).</summary>
    public Task PutBucketAclAsync(string bucket, CannedAcl acl, CancellationToken cancellationToken = default) =>
        PutAclAsync(bucket, null, null, acl, null, cancellationToken);

    /// <summary>PutBucketAcl with a whole ACL (its owner must be the bucket's).</summary>
    public Task PutBucketAclAsync(string bucket, S3Acl acl, CancellationToken cancellationToken = default) =>
        PutAclAsync(bucket, null, null, null, acl ?? throw new ArgumentNullException(nameof(acl)), cancellationToken);

    /// <summary>PutObjectAcl with a canned ACL, on the object or one version.</summary>
    public Task PutObjectAclAsync(string bucket, string key, CannedAcl acl, string? versionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return PutAclAsync(bucket, key, versionId, acl, null, cancellationToken);
    }

    /// <summary>PutObjectAcl with a whole ACL (its owner must be the object's), on the object or one version.</summary>
    public Task PutObjectAclAsync(string bucket, string key, S3Acl acl, string? versionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return PutAclAsync(bucket, key, versionId, null, acl ?? throw new ArgumentNullException(nameof(acl)), cancellationToken);
    }

    private async Task PutAclAsync(string bucket, string? key, string? versionId, CannedAcl? canned, S3Acl? acl,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        S3Call call = S3Call.Create("PUT", bucket, key, AclQuery(versionId), idempotent: true);
        if (acl != null)
        {
            var policy = new AccessControlPolicy { Owner = new S3Owner { Id = acl.OwnerId } };
            foreach (var g in acl.Grants)
                policy.Grants.Add(new AclGrantXml { Type = g.GranteeType, Id = g.Id, Uri = g.Uri, EmailAddress = g.EmailAddress, Permission = g.Permission });
            var body = new ArrayBufferWriter<byte>();
            policy.WriteTo(body);
            call.Body = body.WrittenMemory;
            call.BodyLength = body.WrittenCount;
            call.PayloadHash = Sluice.S3.Auth.SigV4PayloadHash.Sha256Hex(body.WrittenSpan);
            call.Headers = [new("content-md5", ContentMd5(body.WrittenSpan)), new("content-type", "application/xml")];
        }
        else
        {
            call.BodyLength = 0;
            call.Headers = [new("x-amz-acl", AclName(canned!.Value))];
        }
        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    private static string AclQuery(string? versionId) => versionId is null ? "acl" : "acl&versionId=" + Encode(versionId);

    private static S3Acl ToModel(AccessControlPolicy policy) =>
        new(policy.Owner?.Id ?? "", policy.Grants.Select(g => new S3Grant(g.Type, g.Permission)
        {
            Id = g.Id, DisplayName = g.DisplayName, Uri = g.Uri, EmailAddress = g.EmailAddress,
        }).ToArray())
        {
            OwnerDisplayName = policy.Owner?.DisplayName,
        };
}
