using System.Globalization;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Routing;
using Sluice.Server.Storage;

namespace Sluice.Server.Access;

/// <summary>
/// A request's policy condition keys, each computed from the request only when a policy asks for it. Built only for a
/// bucket with a policy, and used while that one evaluation runs (it reads the exchange, which the next request
/// reuses). <c>s3:ExistingObjectTag/…</c> is known once the object is (<see cref="Existing"/>): for object reads, ACL
/// and tagging operations; elsewhere the key is absent, as IAM treats a key a request does not have.
/// </summary>
internal sealed class RequestConditionKeys(S3Exchange exchange, S3Route route, SigV4AuthResult auth, AccessPrincipal principal)
    : IConditionKeys
{
    /// <summary>The object the request concerns, when the handler has it (its tags are s3:ExistingObjectTag).</summary>
    public ObjectMetadata? Existing { get; init; }

    /// <summary>The request time (aws:CurrentTime, aws:EpochTime); settable for tests.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    public bool TryGetValues(string key, out IReadOnlyList<string> values)
    {
        values = [];
        string? one = null;
        const StringComparison ic = StringComparison.OrdinalIgnoreCase;
        if (key.StartsWith("s3:RequestObjectTag/", ic))
        {
            string name = key["s3:RequestObjectTag/".Length..];
            foreach (var (k, v) in RequestTags()) if (k == name) { values = [v]; return true; }
            return false;
        }
        if (key.StartsWith("s3:ExistingObjectTag/", ic))
        {
            string name = key["s3:ExistingObjectTag/".Length..];
            if (Existing == null) return false;
            foreach (var (k, v) in Existing.Attributes.Tags) if (k == name) { values = [v]; return true; }
            return false;
        }
        switch (key.ToLowerInvariant())
        {
            case "aws:sourceip":
                one = exchange.RemoteAddress?.ToString();
                break;
            case "aws:securetransport":
                one = exchange.IsSecure ? "true" : "false";
                break;
            case "aws:currenttime":
                one = Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                break;
            case "aws:epochtime":
                one = Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                break;
            case "aws:username":
                one = principal.IsAnonymous ? null : principal.UserName;
                break;
            case "aws:userid":
                one = principal.IsAnonymous ? "anonymous" : principal.CanonicalId;
                break;
            case "aws:principaltype":
                one = principal.IsAnonymous ? "Anonymous" : "User";
                break;
            case "aws:principalaccount":
                one = principal.IsAnonymous ? null : principal.AccountId;
                break;
            case "aws:principalarn":
                one = principal.IsAnonymous ? null : principal.Arn;
                break;
            case "s3:prefix":
                one = Query(S3QueryParameter.Prefix, emptyWhenAbsent: route.Operation is S3Operation.ListObjects or S3Operation.ListObjectsV2
                    or S3Operation.ListObjectVersions);
                break;
            case "s3:delimiter":
                one = Query(S3QueryParameter.Delimiter);
                break;
            case "s3:max-keys":
                one = Query(S3QueryParameter.MaxKeys);
                break;
            case "s3:versionid":
                one = Query(S3QueryParameter.VersionId);
                break;
            case "s3:x-amz-acl":
                one = Header(KnownHeader.XAmzAcl);
                break;
            case "s3:x-amz-server-side-encryption":
                one = Header(KnownHeader.XAmzServerSideEncryption);
                break;
            case "s3:x-amz-copy-source":
                one = Header(KnownHeader.XAmzCopySource);
                break;
            case "s3:x-amz-metadata-directive":
                one = Header(KnownHeader.XAmzMetadataDirective);
                break;
            case "s3:signatureversion":
                one = auth.SignatureVersion; // "AWS" (Signature Version 2) or "AWS4-HMAC-SHA256"
                break;
            case "s3:authtype":
                one = auth.Method switch
                {
                    SigV4AuthMethod.Header => "REST-HEADER",
                    SigV4AuthMethod.QueryString => "REST-QUERY-STRING",
                    _ => null,
                };
                break;
            case "s3:requestobjecttagkeys":
                var tags = RequestTags();
                if (tags.Count == 0 && Header(KnownHeader.XAmzTagging) == null) return false;
                values = tags.Select(t => t.Key).ToArray();
                return true;
        }
        if (one == null) return false;
        values = [one];
        return true;
    }

    private string? Query(S3QueryParameter parameter, bool emptyWhenAbsent = false) =>
        route.Query.Has(parameter) ? route.Query.GetString(parameter) ?? "" : emptyWhenAbsent ? "" : null;

    private string? Header(KnownHeader header) =>
        exchange.Request.Headers.TryGet(header, out var field) ? Encoding.UTF8.GetString(field.Value.Of(exchange.HeadBytes.Span)) : null;

    private IReadOnlyList<KeyValuePair<string, string>> RequestTags()
    {
        string? header = Header(KnownHeader.XAmzTagging);
        if (header == null) return [];
        var problem = Sluice.S3.Tagging.TagRules.TryParseHeader(header, out var tags);
        return problem.IsNone ? tags : [];
    }
}
