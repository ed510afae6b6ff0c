using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.Server.Exchange;
using Sluice.Server.Http;

namespace Sluice.Server.Auth;

/// <summary>
/// Authenticates a request with SigV4 in all its forms (header, presigned query, and the streaming payload modes,
/// whose chunks <see cref="PayloadReader"/> verifies as they arrive). Unsigned requests are refused unless the
/// server was started with anonymous access.
/// </summary>
public sealed class RequestAuthenticator
{
    private readonly SigV4Verifier _verifier;
    private readonly bool _allowAnonymous;

    public RequestAuthenticator(ISigV4CredentialProvider credentials, string? region, bool allowAnonymous)
    {
        _verifier = new SigV4Verifier(credentials, new SigV4VerifierOptions { Region = region });
        _allowAnonymous = allowAnonymous;
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
