using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Naming;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Routing;

namespace Sluice.Server.Auth;

/// <summary>
/// Authenticates a request with SigV4 in all its forms (header, presigned query, and the streaming payload modes,
/// whose chunks <see cref="PayloadReader"/> verifies as they arrive). The server passes unsigned requests on as the
/// anonymous principal, which the authorization stage judges; an authenticator built without anonymous access
/// refuses them here.
/// </summary>
public sealed class RequestAuthenticator
{
    private readonly SigV4Verifier _verifier;
    private readonly SigV2Verifier _sigV2;
    private readonly ISigV4CredentialProvider _credentials;
    private readonly bool _allowAnonymous;

    public RequestAuthenticator(ISigV4CredentialProvider credentials, string? region, bool allowAnonymous)
    {
        _verifier = new SigV4Verifier(credentials, new SigV4VerifierOptions { Region = region });
        _sigV2 = new SigV2Verifier(credentials);
        _credentials = credentials;
        _allowAnonymous = allowAnonymous;
    }

    /// <summary>The credential of <paramref name="accessKeyId"/>, for a signature carried elsewhere than the request
    /// (a POST upload's form fields); null when the key is unknown.</summary>
    public SigV4Credential? FindCredential(string accessKeyId)
    {
        ArgumentNullException.ThrowIfNull(accessKeyId);
        return _credentials.TryGetCredential(System.Text.Encoding.UTF8.GetBytes(accessKeyId), out var credential) ? credential : null;
    }

    /// <summary>
    /// Verifies the routed request in either signature version: SigV2 (<c>Authorization: AWS …</c> or the
    /// <c>AWSAccessKeyId</c>/<c>Signature</c> query) by <see cref="SigV2Verifier"/>, whose canonicalized resource
    /// needs the route's virtual-hosted bucket, anything else as <see cref="Authenticate(S3Exchange, out S3Error?)"/>.
    /// Both give the same result shape: the credential, and <see cref="SigV4AuthResult.SignatureVersion"/>.
    /// </summary>
    public SigV4AuthResult Authenticate(S3Exchange exchange, S3Route route, out S3Error? error)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(route);
        var head = exchange.HeadBytes.Span;
        var request = exchange.Request;
        var headers = new RequestHeaders(request.Headers, head);
        if (!SigV2Verifier.Applies(headers, request.Query.Of(head))) return Authenticate(exchange, out error);
        return _sigV2.Verify(request.MethodName.Of(head), request.Path.Of(head), request.Query.Of(head), headers,
            route.Addressing == S3Addressing.VirtualHosted ? route.Bucket : default, DateTimeOffset.UtcNow, out error);
    }

    /// <summary>Verifies the exchange's request; on failure <paramref name="error"/> is the S3 error to answer.</summary>
    public SigV4AuthResult Authenticate(S3Exchange exchange, out S3Error? error)
    {
        var head = exchange.HeadBytes.Span;
        var request = exchange.Request;
        var result = _verifier.Verify(request.MethodName.Of(head), request.Path.Of(head), request.Query.Of(head),
            new RequestHeaders(request.Headers, head), DateTimeOffset.UtcNow);
        error = result.Status switch
        {
            SigV4AuthStatus.Authenticated => null,
            SigV4AuthStatus.Anonymous when _allowAnonymous => null,
            SigV4AuthStatus.Anonymous => new S3Error(S3ErrorCode.AccessDenied, "Anonymous access is not allowed on this server."),
            _ => new S3Error(result.ErrorCode ?? S3ErrorCode.AccessDenied, result.ErrorMessage),
        };
        return result;
    }
}
