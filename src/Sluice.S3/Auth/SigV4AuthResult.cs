using System.Diagnostics.CodeAnalysis;

namespace Sluice.S3.Auth;

/// <summary>
/// The verifier's answer: anonymous, authenticated (with the credential, payload mode, and everything a chunk
/// verifier needs: signing key, timestamp, seed signature), or failed with an S3 error code and message.
/// A value type carrying its 80 bytes of hashes inline, so verification allocates nothing.
/// </summary>
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types",
    Justification = "A result record; nobody compares results.")]
public readonly struct SigV4AuthResult
{
    private readonly InlineBytes32 _seedSignature;
    private readonly InlineBytes32 _declaredSha256;
    private readonly InlineBytes16 _timestamp;

    private SigV4AuthResult(SigV4AuthStatus status, string? errorCode, string? errorMessage)
    {
        Status = status;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    internal SigV4AuthResult(
        SigV4Credential credential,
        SigV4AuthMethod method,
        SigV4PayloadMode payloadMode,
        SigV4SigningKey signingKey,
        DateTimeOffset requestTime,
        DateTimeOffset? expires,
        ReadOnlySpan<byte> timestamp,
        ReadOnlySpan<byte> seedSignature,
        ReadOnlySpan<byte> declaredSha256)
    {
        Status = SigV4AuthStatus.Authenticated;
        Credential = credential;
        Method = method;
        PayloadMode = payloadMode;
        SigningKey = signingKey;
        RequestTime = requestTime;
        Expires = expires;
        timestamp.CopyTo(_timestamp);
        seedSignature.CopyTo(_seedSignature);
        if (payloadMode == SigV4PayloadMode.Sha256)
        {
            declaredSha256.CopyTo(_declaredSha256);
        }
    }

    /// <summary>A request verified with Signature Version 2 (<see cref="SigV2Verifier"/>): the same credential and
    /// method as SigV4 reports, an ordinary payload (SigV2 has no chunk signing) and no signing key.</summary>
    internal SigV4AuthResult(SigV4Credential credential, SigV4AuthMethod method, DateTimeOffset requestTime, DateTimeOffset? expires)
    {
        Status = SigV4AuthStatus.Authenticated;
        Credential = credential;
        Method = method;
        PayloadMode = SigV4PayloadMode.UnsignedPayload;
        RequestTime = requestTime;
        Expires = expires;
        IsSigV2 = true;
    }

    /// <summary>The result for a request without any authentication.</summary>
    public static SigV4AuthResult Anonymous => default;

    /// <summary>Anonymous, authenticated or failed.</summary>
    public SigV4AuthStatus Status { get; }

    /// <summary>True when the signature verified.</summary>
    public bool IsAuthenticated => Status == SigV4AuthStatus.Authenticated;

    /// <summary>S3 error code when failed (see <see cref="Errors.S3ErrorCode"/>).</summary>
    public string? ErrorCode { get; }

    /// <summary>Human-readable message when failed.</summary>
    public string? ErrorMessage { get; }

    /// <summary>The verified credential (its <see cref="SigV4Credential.Principal"/> is the caller's identity).</summary>
    public SigV4Credential? Credential { get; }

    /// <summary>True when the request was signed with the legacy Signature Version 2.</summary>
    public bool IsSigV2 { get; }

    /// <summary>The signature version as the <c>s3:signatureversion</c> condition key names it: <c>AWS</c> (SigV2) or
    /// <c>AWS4-HMAC-SHA256</c>; null for an anonymous or failed request.</summary>
    public string? SignatureVersion => !IsAuthenticated ? null : IsSigV2 ? "AWS" : "AWS4-HMAC-SHA256";

    /// <summary>Header or query-string authentication.</summary>
    public SigV4AuthMethod Method { get; }

    /// <summary>What the body is declared to be.</summary>
    public SigV4PayloadMode PayloadMode { get; }

    /// <summary>The signing key and scope; a chunk verifier chains from it.</summary>
    public SigV4SigningKey? SigningKey { get; }

    /// <summary>The signed request time.</summary>
    public DateTimeOffset RequestTime { get; }

    /// <summary>For presigned URLs, when the URL stops being valid.</summary>
    public DateTimeOffset? Expires { get; }

    /// <summary>The request signature (32 raw bytes): the seed of a chunk signature chain.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> SeedSignature
    {
        get
        {
            if (!IsAuthenticated)
            {
                return default;
            }

            return _seedSignature;
        }
    }

    /// <summary>For <see cref="SigV4PayloadMode.Sha256"/>, the declared body hash (32 raw bytes) the server must check.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> DeclaredPayloadSha256
    {
        get
        {
            if (!IsAuthenticated || PayloadMode != SigV4PayloadMode.Sha256)
            {
                return default;
            }

            return _declaredSha256;
        }
    }

    /// <summary>The signed timestamp, <c>yyyyMMddTHHmmssZ</c> as ASCII.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Timestamp
    {
        get
        {
            if (!IsAuthenticated)
            {
                return default;
            }

            return _timestamp;
        }
    }

    internal static SigV4AuthResult Fail(string errorCode, string errorMessage) =>
        new(SigV4AuthStatus.Failed, errorCode, errorMessage);
}
