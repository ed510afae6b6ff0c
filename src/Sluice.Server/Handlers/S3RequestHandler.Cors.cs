using System.Buffers;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Cors;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Cors;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Cross-origin resource sharing: the bucket's rules (Get/Put/DeleteBucketCors, a <see cref="BucketSetting.Cors"/>
/// document), the OPTIONS preflight answered from them without authentication, and the Access-Control-* headers on
/// any answer to a request carrying Origin that a rule matches. A request without Origin, or to a bucket known to have
/// no rules, costs a header lookup (and a cache lookup) and nothing else.
/// </summary>
public sealed partial class S3RequestHandler
{
    private const string NotAllowedMessage = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
        + "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

    private readonly BucketCorsCache _cors = new();

    internal ValueTask GetBucketCorsAsync(S3Exchange x, RequestContext c) =>
        SendBucketSettingAsync(x, c.Route.GetBucketString(), BucketSetting.Cors, S3ErrorCode.NoSuchCORSConfiguration);

    /// <summary>
    /// PutBucketCors: the body needs Content-MD5 or an x-amz-checksum (S3's InvalidRequest otherwise), at most 64 KB
    /// (MalformedXML); 1 to 100 rules,
    /// each with an origin and a method (MalformedXML), methods among GET, PUT, HEAD, POST and DELETE and at most one
    /// <c>*</c> in an origin or allowed header (InvalidRequest). Stored durably as the canonical document, then the
    /// cached policy is dropped.
    /// </summary>
    internal async ValueTask PutBucketCorsAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        if (xml.Length > CorsConfiguration.MaxDocumentBytes)
            ThrowProblem(S3ErrorCode.MalformedXML, $"The CORS configuration must not exceed {CorsConfiguration.MaxDocumentBytes} bytes.");
        var read = CorsConfiguration.Read(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, read.Detail);
        var problem = read.Value!.Validate();
        if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        var canonical = new ArrayBufferWriter<byte>(xml.Length + 256);
        read.Value.WriteTo(canonical);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Cors, canonical.WrittenSpan.ToArray());
        _cors.Forget(bucket);
        await SendEmptyAsync(x, 200);
    }

    internal async ValueTask DeleteBucketCorsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Cors, null);
        _cors.Forget(bucket);
        await SendEmptyAsync(x, 204);
    }

    /// <summary>
    /// The OPTIONS preflight, as S3 answers it: no Origin is 400 BadRequest; no such bucket, or a bucket without CORS
    /// rules, 403 AccessForbidden; no Access-Control-Request-Method 400; no matching rule 403 AccessForbidden; else
    /// 200 with an empty body and the rule's Access-Control-* headers. Never authenticated, and the key is not looked up.
    /// </summary>
    internal async ValueTask PreflightAsync(S3Exchange x, RequestContext c)
    {
        var headers = x.Request.Headers;
        if (!headers.TryGet(KnownHeader.Origin, out var originField))
        {
            await SendCorsErrorAsync(x, S3ErrorCode.BadRequest, "Insufficient information. Origin request header needed.", null, null);
            return;
        }
        bool hasMethod = headers.TryGet(KnownHeader.AccessControlRequestMethod, out var methodField);
        string methodName = hasMethod ? Encoding.UTF8.GetString(methodField.Value.Of(x.HeadBytes.Span)) : "OPTIONS";
        var route = c.Route;
        CorsPolicy? policy = null;
        bool bucketFound = route.HasBucket;
        if (bucketFound && !_cors.TryGet(route.Bucket, out policy))
        {
            try
            {
                policy = await _cors.LoadAsync(_objects, route.GetBucketString());
            }
            catch (S3StorageException e) when (e.Error.Code == S3ErrorCode.NoSuchBucket)
            {
                bucketFound = false;
            }
        }
        if (!bucketFound)
        {
            await SendCorsErrorAsync(x, S3ErrorCode.AccessForbidden, "CORSResponse: Bucket not found", methodName, "BUCKET");
            return;
        }
        if (policy == null)
        {
            await SendCorsErrorAsync(x, S3ErrorCode.AccessForbidden, "CORSResponse: CORS is not enabled for this bucket.", methodName, "BUCKET");
            return;
        }
        if (!hasMethod)
        {
            await SendCorsErrorAsync(x, S3ErrorCode.BadRequest, "Invalid Access-Control-Request-Method: null", null, null);
            return;
        }
        // The request head's buffer is valid until the response is sent: the spans are read before any await.
        var head = x.HeadBytes.Span;
        var origin = originField.Value.Of(head);
        var requested = headers.TryGet(KnownHeader.AccessControlRequestHeaders, out var requestedField) ? requestedField.Value.Of(head) : default;
        var rule = policy.Match(origin, CorsMethods.Of(methodField.Value.Of(head)), requested);
        if (rule == null)
        {
            await SendCorsErrorAsync(x, S3ErrorCode.AccessForbidden, NotAllowedMessage, methodName, route.HasKey ? "OBJECT" : "BUCKET");
            return;
        }
        c.Cors.Set(rule, origin, requested);
        x.ScopedHeaders = c.Cors;
        await SendEmptyAsync(x, 200);
    }

    private static ValueTask SendCorsErrorAsync(S3Exchange x, string code, string message, string? method, string? resourceType)
    {
        var error = new S3Error(code, message);
        if (method != null) error.WithDetail("Method", method);
        if (resourceType != null) error.WithDetail("ResourceType", resourceType);
        return x.SendErrorAsync(error);
    }

    /// <summary>
    /// For a request carrying Origin to a bucket with CORS rules: when a rule matches (the method being
    /// Access-Control-Request-Method when sent, else the request's; requested headers checked as for a preflight),
    /// every answer to the request — errors included — carries its Access-Control-* headers. A request no rule matches
    /// is served as it would be without Origin, as S3 does.
    /// </summary>
    private async ValueTask ApplyCorsAsync(S3Exchange x, RequestContext c)
    {
        var route = c.Route;
        if (!_cors.TryGet(route.Bucket, out var policy))
        {
            try
            {
                policy = await _cors.LoadAsync(_objects, route.GetBucketString());
            }
            catch (S3StorageException e) when (e.Error.Code == S3ErrorCode.NoSuchBucket)
            {
                return; // the operation answers NoSuchBucket itself
            }
        }
        if (policy == null) return;
        var headers = x.Request.Headers;
        var head = x.HeadBytes.Span;
        if (!headers.TryGet(KnownHeader.Origin, out var originField)) return;
        var origin = originField.Value.Of(head);
        byte method = headers.TryGet(KnownHeader.AccessControlRequestMethod, out var methodField)
            ? CorsMethods.Of(methodField.Value.Of(head))
            : CorsMethods.Of(x.Request.Method);
        var requested = headers.TryGet(KnownHeader.AccessControlRequestHeaders, out var requestedField) ? requestedField.Value.Of(head) : default;
        var rule = policy.Match(origin, method, requested);
        if (rule == null) return;
        c.Cors.Set(rule, origin, requested);
        x.ScopedHeaders = c.Cors;
    }
}
