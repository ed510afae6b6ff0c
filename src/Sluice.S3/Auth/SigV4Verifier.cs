using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Errors;

namespace Sluice.S3.Auth;

/// <summary>
/// Server-side SigV4 verification of header (<c>Authorization</c>) and query-string (presigned URL) authentication.
/// Works on the request exactly as received (raw path and query, header bytes); never throws on bad input, and a
/// typical request verifies without allocating (canonical request on the stack, signing key from the cache).
/// </summary>
public sealed class SigV4Verifier
{
    private const int ScopeDateLength = AmzDate.DateLength;
    private const int StackQueryScratchBytes = 1024;

    private const string MsgComponents =
        "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.";
    private const string MsgCredential =
        "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
    private const string MsgQueryCredential =
        "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
    private const string MsgSignedHeaders = "The authorization header is malformed; SignedHeaders is mal-formed.";
    private const string MsgQuerySignedHeaders = "Error parsing the X-Amz-SignedHeaders parameter; it is mal-formed.";
    private const string MsgCredentialDate = "Invalid credential date. Date is not the same as X-Amz-Date.";
    private const string MsgDateRequired = "AWS authentication requires a valid Date or x-amz-date header";
    private const string MsgQueryDate = "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"";
    private const string MsgSkew = "The difference between the request time and the current time is too large.";
    private const string MsgUnsigned = "There were headers present in the request which were not signed";
    private const string MsgMissingSha = "Missing required header for this request: x-amz-content-sha256";
    private const string MsgBadSha =
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.";
    private const string MsgUnknownKey = "The AWS Access Key Id you provided does not exist in our records.";
    private const string MsgSignature =
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
    private const string MsgMissingToken = "Your request was missing a required header: x-amz-security-token.";
    private const string MsgBadToken = "The provided token is malformed or otherwise invalid.";
    private const string MsgTwoMechanisms =
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified";
    private const string MsgUnsupported =
        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";
    private const string MsgQueryMissing =
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
    private const string MsgQueryAlgorithm = "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"";
    private const string MsgExpiresNumber = "X-Amz-Expires should be a number";
    private const string MsgExpiresNegative = "X-Amz-Expires must be non-negative";
    private const string MsgExpiresTooLarge =
        "X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds";
    private const string MsgExpired = "Request has expired";
    private const string MsgNotYetValid = "Request is not valid yet";
    private const string MsgRepeatedComponent =
        "The authorization header is malformed; each of Credential, SignedHeaders and Signature must appear exactly once.";
    private const string MsgRepeatedHeader = "The authorization header is malformed; only one Authorization header is allowed.";
    private const string MsgRepeatedQuery =
        "Error parsing the query parameters; each X-Amz-* authentication parameter must appear exactly once.";

    /// <summary>The presigned-URL parameters; each may appear only once (which copy would count is ambiguous).</summary>
    private static readonly byte[][] QueryAuthNames =
    [
        "X-Amz-Algorithm"u8.ToArray(), "X-Amz-Credential"u8.ToArray(), "X-Amz-Date"u8.ToArray(), "X-Amz-Expires"u8.ToArray(),
        "X-Amz-SignedHeaders"u8.ToArray(), "X-Amz-Signature"u8.ToArray(), "X-Amz-Security-Token"u8.ToArray(),
    ];

    private readonly ISigV4CredentialProvider _credentials;
    private readonly SigningKeyCache _keys;
    private readonly TimeProvider _time;
    private readonly byte[]? _region;
    private readonly byte[] _service;
    private readonly SigV4VerifierOptions _options;

    /// <summary>Creates a verifier resolving access keys through <paramref name="credentials"/>.</summary>
    public SigV4Verifier(ISigV4CredentialProvider credentials, SigV4VerifierOptions? options = null,
        SigningKeyCache? keyCache = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        _options = options ?? new SigV4VerifierOptions();
        _keys = keyCache ?? new SigningKeyCache();
        _time = timeProvider ?? TimeProvider.System;
        _region = _options.Region is null ? null : Encoding.UTF8.GetBytes(_options.Region);
        _service = Encoding.UTF8.GetBytes(_options.Service);
    }

    /// <summary>Verifies against the current time; <paramref name="requestTarget"/> is the raw "path?query".</summary>
    public SigV4AuthResult Verify<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> requestTarget, THeaders headers)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int q = requestTarget.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = q < 0 ? requestTarget : requestTarget[..q];
        ReadOnlySpan<byte> query = q < 0 ? default : requestTarget[(q + 1)..];
        return Verify(method, path, query, headers, _time.GetUtcNow());
    }

    /// <summary>
    /// Verifies a request. <paramref name="rawPath"/> and <paramref name="rawQuery"/> are exactly as received (no
    /// leading '?'). <paramref name="payloadHashHex"/> is only used when the request has no
    /// <c>x-amz-content-sha256</c> and the options allow that (generic services), and for presigned URLs of them.
    /// </summary>
    public SigV4AuthResult Verify<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath, ReadOnlySpan<byte> rawQuery,
        THeaders headers, DateTimeOffset now, ReadOnlySpan<byte> payloadHashHex = default)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int authorization = HeaderLookup.IndexOf(headers, "authorization"u8);
        bool queryAuth = HasQueryParam(rawQuery, "X-Amz-Algorithm"u8) || HasQueryParam(rawQuery, "X-Amz-Credential"u8)
            || HasQueryParam(rawQuery, "X-Amz-Signature"u8);
        if (authorization >= 0 && queryAuth)
        {
            return SigV4AuthResult.Fail(S3ErrorCode.InvalidArgument, MsgTwoMechanisms);
        }

        if (authorization >= 0)
        {
            if (HasSecondHeader(headers, authorization, "authorization"u8))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AuthorizationHeaderMalformed, MsgRepeatedHeader);
            }

            return VerifyHeader(method, rawPath, rawQuery, headers, headers.GetValue(authorization), now, payloadHashHex);
        }

        if (queryAuth)
        {
            return VerifyQuery(method, rawPath, rawQuery, headers, now, payloadHashHex);
        }

        return HasQueryParam(rawQuery, "AWSAccessKeyId"u8)
            ? SigV4AuthResult.Fail(S3ErrorCode.InvalidRequest, MsgUnsupported)
            : SigV4AuthResult.Anonymous;
    }

    private SigV4AuthResult VerifyHeader<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath, ReadOnlySpan<byte> rawQuery,
        THeaders headers, ReadOnlySpan<byte> authorization, DateTimeOffset now, ReadOnlySpan<byte> payloadHashHex)
        where THeaders : ISigV4Headers, allows ref struct
    {
        ReadOnlySpan<byte> auth = HeaderLookup.Trim(authorization);
        ReadOnlySpan<byte> algorithm = SigV4Algorithm.AlgorithmName;
        if (!auth.StartsWith(algorithm) || auth.Length == algorithm.Length || auth[algorithm.Length] != (byte)' ')
        {
            return SigV4AuthResult.Fail(S3ErrorCode.InvalidRequest, MsgUnsupported);
        }

        ReadOnlySpan<byte> credential = default;
        ReadOnlySpan<byte> signedHeaders = default;
        ReadOnlySpan<byte> signature = default;
        int seen = 0;
        ReadOnlySpan<byte> rest = auth[(algorithm.Length + 1)..];
        while (!rest.IsEmpty)
        {
            int comma = rest.IndexOf((byte)',');
            ReadOnlySpan<byte> part = HeaderLookup.Trim(comma < 0 ? rest : rest[..comma]);
            rest = comma < 0 ? default : rest[(comma + 1)..];
            // A repeated component is refused, never resolved: a client and an intermediary could each take a
            // different copy as the one that counts.
            int bit;
            if (part.StartsWith("Credential="u8))
            {
                bit = 1;
                credential = part["Credential="u8.Length..];
            }
            else if (part.StartsWith("SignedHeaders="u8))
            {
                bit = 2;
                signedHeaders = part["SignedHeaders="u8.Length..];
            }
            else if (part.StartsWith("Signature="u8))
            {
                bit = 4;
                signature = part["Signature="u8.Length..];
            }
            else if (!part.IsEmpty)
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AuthorizationHeaderMalformed, MsgComponents);
            }
            else
            {
                continue;
            }

            if (!MarkSeen(ref seen, bit))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AuthorizationHeaderMalformed, MsgRepeatedComponent);
            }
        }

        if (credential.IsEmpty || signedHeaders.IsEmpty || signature.IsEmpty)
        {
            return SigV4AuthResult.Fail(S3ErrorCode.AuthorizationHeaderMalformed, MsgComponents);
        }

        const string Malformed = S3ErrorCode.AuthorizationHeaderMalformed;
        if (!TryParseCredential(credential, out ReadOnlySpan<byte> accessKey, out ReadOnlySpan<byte> scopeDate,
            out ReadOnlySpan<byte> region, out ReadOnlySpan<byte> service))
        {
            return SigV4AuthResult.Fail(Malformed, MsgCredential);
        }

        if (CheckScope(region, service, Malformed) is { } scopeError)
        {
            return scopeError;
        }

        if (!HeaderLookup.IsWellFormedSignedHeaders(signedHeaders))
        {
            return SigV4AuthResult.Fail(Malformed, MsgSignedHeaders);
        }

        // The request time: x-amz-date, else the HTTP Date header.
        Span<byte> timestamp = stackalloc byte[AmzDate.Length];
        DateTimeOffset requestTime;
        int amzDate = HeaderLookup.IndexOf(headers, "x-amz-date"u8);
        if (amzDate >= 0)
        {
            ReadOnlySpan<byte> value = HeaderLookup.Trim(headers.GetValue(amzDate));
            if (!AmzDate.TryParse(value, out requestTime))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgDateRequired);
            }

            value.CopyTo(timestamp);
        }
        else
        {
            int date = HeaderLookup.IndexOf(headers, "date"u8);
            if (date < 0 || !AmzDate.TryParseHttpDate(headers.GetValue(date), out requestTime))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgDateRequired);
            }

            AmzDate.Format(requestTime, timestamp);
        }

        if (!scopeDate.SequenceEqual(timestamp[..ScopeDateLength]))
        {
            return SigV4AuthResult.Fail(Malformed, MsgCredentialDate);
        }

        if ((requestTime - now).Duration() > _options.MaxClockSkew)
        {
            return SigV4AuthResult.Fail(S3ErrorCode.RequestTimeTooSkewed, MsgSkew);
        }

        if (!HeaderLookup.IsSigned(signedHeaders, "host"u8)
            || !HeaderLookup.IsSigned(signedHeaders, amzDate >= 0 ? "x-amz-date"u8 : "date"u8))
        {
            return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgUnsigned);
        }

        // The declared payload.
        Span<byte> declared = stackalloc byte[SigV4Algorithm.HashLength];
        ReadOnlySpan<byte> payloadHash;
        SigV4PayloadMode mode;
        int contentSha = HeaderLookup.IndexOf(headers, "x-amz-content-sha256"u8);
        if (contentSha >= 0)
        {
            payloadHash = HeaderLookup.Trim(headers.GetValue(contentSha));
            if (!SigV4PayloadHash.TryParse(payloadHash, out mode, declared))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.InvalidArgument, MsgBadSha);
            }

            if (!HeaderLookup.IsSigned(signedHeaders, "x-amz-content-sha256"u8))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgUnsigned);
            }
        }
        else if (_options.RequireContentSha256 || payloadHashHex.IsEmpty)
        {
            return SigV4AuthResult.Fail(S3ErrorCode.InvalidRequest, MsgMissingSha);
        }
        else
        {
            payloadHash = payloadHashHex;
            if (!SigV4PayloadHash.TryParse(payloadHash, out mode, declared))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.InvalidArgument, MsgBadSha);
            }
        }

        int tokenIndex = HeaderLookup.IndexOf(headers, "x-amz-security-token"u8);
        ReadOnlySpan<byte> token = tokenIndex >= 0 ? HeaderLookup.Trim(headers.GetValue(tokenIndex)) : default;
        if ((tokenIndex >= 0 && !HeaderLookup.IsSigned(signedHeaders, "x-amz-security-token"u8))
            || (_options.RequireSignedAmzHeaders && !AllAmzHeadersSigned(headers, signedHeaders)))
        {
            return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgUnsigned);
        }

        Span<byte> claimed = stackalloc byte[SigV4Algorithm.HashLength];
        if (!HexEncoding.TryDecodeLower(signature, claimed))
        {
            return SigV4AuthResult.Fail(S3ErrorCode.SignatureDoesNotMatch, MsgSignature);
        }

        return Complete(SigV4AuthMethod.Header, method, rawPath, rawQuery, headers, accessKey, scopeDate, region, service,
            signedHeaders, claimed, timestamp, requestTime, null, payloadHash, mode, declared, tokenIndex >= 0, token);
    }

    private SigV4AuthResult VerifyQuery<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath, ReadOnlySpan<byte> rawQuery,
        THeaders headers, DateTimeOffset now, ReadOnlySpan<byte> payloadHashHex)
        where THeaders : ISigV4Headers, allows ref struct
    {
        const string QueryError = S3ErrorCode.AuthorizationQueryParametersError;
        if (HasRepeatedAuthParam(rawQuery))
        {
            return SigV4AuthResult.Fail(QueryError, MsgRepeatedQuery);
        }

        if (!TryGetQueryParam(rawQuery, "X-Amz-Algorithm"u8, out ReadOnlySpan<byte> algorithmRaw)
            || !TryGetQueryParam(rawQuery, "X-Amz-Credential"u8, out ReadOnlySpan<byte> credentialRaw)
            || !TryGetQueryParam(rawQuery, "X-Amz-Date"u8, out ReadOnlySpan<byte> dateRaw)
            || !TryGetQueryParam(rawQuery, "X-Amz-Expires"u8, out ReadOnlySpan<byte> expiresRaw)
            || !TryGetQueryParam(rawQuery, "X-Amz-SignedHeaders"u8, out ReadOnlySpan<byte> signedRaw)
            || !TryGetQueryParam(rawQuery, "X-Amz-Signature"u8, out ReadOnlySpan<byte> signatureRaw))
        {
            return SigV4AuthResult.Fail(QueryError, MsgQueryMissing);
        }

        bool hasToken = TryGetQueryParam(rawQuery, "X-Amz-Security-Token"u8, out ReadOnlySpan<byte> tokenRaw);
        var scratch = new ValueByteBuilder(stackalloc byte[StackQueryScratchBytes]);
        try
        {
            // Values are percent-encoded on the wire ('/' in the credential as %2F, ';' possibly as %3B).
            int algorithmStart = scratch.Length;
            SigV4Encoding.AppendPercentDecoded(ref scratch, algorithmRaw, plusIsSpace: true);
            int credentialStart = scratch.Length;
            SigV4Encoding.AppendPercentDecoded(ref scratch, credentialRaw, plusIsSpace: true);
            int dateStart = scratch.Length;
            SigV4Encoding.AppendPercentDecoded(ref scratch, dateRaw, plusIsSpace: true);
            int signedStart = scratch.Length;
            SigV4Encoding.AppendPercentDecoded(ref scratch, signedRaw, plusIsSpace: true);
            int signatureStart = scratch.Length;
            SigV4Encoding.AppendPercentDecoded(ref scratch, signatureRaw, plusIsSpace: true);
            int tokenStart = scratch.Length;
            SigV4Encoding.AppendPercentDecoded(ref scratch, tokenRaw, plusIsSpace: true);
            int end = scratch.Length;
            ReadOnlySpan<byte> data = scratch.Written;
            ReadOnlySpan<byte> algorithm = data[algorithmStart..credentialStart];
            ReadOnlySpan<byte> credential = data[credentialStart..dateStart];
            ReadOnlySpan<byte> date = data[dateStart..signedStart];
            ReadOnlySpan<byte> signedHeaders = data[signedStart..signatureStart];
            ReadOnlySpan<byte> signature = data[signatureStart..tokenStart];
            ReadOnlySpan<byte> token = data[tokenStart..end];

            if (!algorithm.SequenceEqual(SigV4Algorithm.AlgorithmName))
            {
                return SigV4AuthResult.Fail(QueryError, MsgQueryAlgorithm);
            }

            if (!TryParseCredential(credential, out ReadOnlySpan<byte> accessKey, out ReadOnlySpan<byte> scopeDate,
                out ReadOnlySpan<byte> region, out ReadOnlySpan<byte> service))
            {
                return SigV4AuthResult.Fail(QueryError, MsgQueryCredential);
            }

            if (CheckScope(region, service, QueryError) is { } scopeError)
            {
                return scopeError;
            }

            if (!HeaderLookup.IsWellFormedSignedHeaders(signedHeaders))
            {
                return SigV4AuthResult.Fail(QueryError, MsgQuerySignedHeaders);
            }

            if (!AmzDate.TryParse(date, out DateTimeOffset requestTime))
            {
                return SigV4AuthResult.Fail(QueryError, MsgQueryDate);
            }

            if (!scopeDate.SequenceEqual(date[..ScopeDateLength]))
            {
                return SigV4AuthResult.Fail(QueryError, MsgCredentialDate);
            }

            if (!TryParseSeconds(expiresRaw, out long expiresSeconds))
            {
                bool negative = expiresRaw.Length > 1 && expiresRaw[0] == '-' && TryParseSeconds(expiresRaw[1..], out _);
                return SigV4AuthResult.Fail(QueryError, negative ? MsgExpiresNegative : MsgExpiresNumber);
            }

            if (expiresSeconds > SigV4VerifierOptions.MaxPresignedExpirySeconds)
            {
                return SigV4AuthResult.Fail(QueryError, MsgExpiresTooLarge);
            }

            DateTimeOffset expires = requestTime.AddSeconds(expiresSeconds);
            if (requestTime - now > _options.MaxClockSkew)
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgNotYetValid);
            }

            if (now > expires)
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgExpired);
            }

            if (!HeaderLookup.IsSigned(signedHeaders, "host"u8)
                || (_options.RequireSignedAmzHeaders && !AllAmzHeadersSigned(headers, signedHeaders)))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.AccessDenied, MsgUnsigned);
            }

            // Presigned URLs cannot know the body: S3 signs UNSIGNED-PAYLOAD.
            Span<byte> declared = stackalloc byte[SigV4Algorithm.HashLength];
            ReadOnlySpan<byte> payloadHash = payloadHashHex.IsEmpty ? "UNSIGNED-PAYLOAD"u8 : payloadHashHex;
            if (!SigV4PayloadHash.TryParse(payloadHash, out SigV4PayloadMode mode, declared))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.InvalidArgument, MsgBadSha);
            }

            Span<byte> claimed = stackalloc byte[SigV4Algorithm.HashLength];
            if (!HexEncoding.TryDecodeLower(signature, claimed))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.SignatureDoesNotMatch, MsgSignature);
            }

            return Complete(SigV4AuthMethod.QueryString, method, rawPath, rawQuery, headers, accessKey, scopeDate, region,
                service, signedHeaders, claimed, date, requestTime, expires, payloadHash, mode, declared, hasToken, token);
        }
        finally
        {
            scratch.Dispose();
        }
    }

    private SigV4AuthResult Complete<THeaders>(
        SigV4AuthMethod authMethod,
        ReadOnlySpan<byte> method,
        ReadOnlySpan<byte> rawPath,
        ReadOnlySpan<byte> rawQuery,
        THeaders headers,
        ReadOnlySpan<byte> accessKey,
        ReadOnlySpan<byte> scopeDate,
        ReadOnlySpan<byte> region,
        ReadOnlySpan<byte> service,
        ReadOnlySpan<byte> signedHeaders,
        ReadOnlySpan<byte> claimedSignature,
        ReadOnlySpan<byte> timestamp,
        DateTimeOffset requestTime,
        DateTimeOffset? expires,
        ReadOnlySpan<byte> payloadHash,
        SigV4PayloadMode mode,
        ReadOnlySpan<byte> declared,
        bool hasToken,
        ReadOnlySpan<byte> token)
        where THeaders : ISigV4Headers, allows ref struct
    {
        if (!_credentials.TryGetCredential(accessKey, out SigV4Credential? credential))
        {
            return SigV4AuthResult.Fail(S3ErrorCode.InvalidAccessKeyId, MsgUnknownKey);
        }

        // Temporary credentials are bound to their token; static keys ignore one.
        if (credential.HasSessionToken)
        {
            if (!hasToken)
            {
                return SigV4AuthResult.Fail(S3ErrorCode.MissingSecurityHeader, MsgMissingToken);
            }

            if (!CryptographicOperations.FixedTimeEquals(token, credential.SessionTokenUtf8))
            {
                return SigV4AuthResult.Fail(S3ErrorCode.InvalidToken, MsgBadToken);
            }
        }

        SigV4SigningKey key = _keys.GetOrCreate(credential.SecretUtf8, scopeDate, region, service);
        Span<byte> canonicalHash = stackalloc byte[SigV4Algorithm.HashLength];
        CanonicalRequest.Hash(method, rawPath, rawQuery, authMethod == SigV4AuthMethod.QueryString, headers, signedHeaders,
            payloadHash, _options.UriMode, canonicalHash);
        Span<byte> computed = stackalloc byte[SigV4Algorithm.HashLength];
        SigV4Algorithm.SignRequest(key.Key, timestamp, key.ScopeUtf8, canonicalHash, computed);
        if (!CryptographicOperations.FixedTimeEquals(computed, claimedSignature))
        {
            return SigV4AuthResult.Fail(S3ErrorCode.SignatureDoesNotMatch, MsgSignature);
        }

        return new SigV4AuthResult(credential, authMethod, mode, key, requestTime, expires, timestamp, computed, declared);
    }

    private SigV4AuthResult? CheckScope(ReadOnlySpan<byte> region, ReadOnlySpan<byte> service, string errorCode)
    {
        if (!service.SequenceEqual(_service))
        {
            return SigV4AuthResult.Fail(errorCode, string.Create(CultureInfo.InvariantCulture,
                $"The authorization header is malformed; incorrect service \"{Encoding.UTF8.GetString(service)}\". This endpoint belongs to \"{_options.Service}\"."));
        }

        if (_region is not null && !region.SequenceEqual(_region))
        {
            return SigV4AuthResult.Fail(errorCode, string.Create(CultureInfo.InvariantCulture,
                $"The authorization header is malformed; the region '{Encoding.UTF8.GetString(region)}' is wrong; expecting '{_options.Region}'"));
        }

        int scopeLength = ScopeDateLength + region.Length + service.Length + SigV4Algorithm.Terminator.Length + 3;
        return scopeLength > SigV4Algorithm.MaxScopeLength ? SigV4AuthResult.Fail(errorCode, MsgCredential) : null;
    }

    /// <summary>Splits <c>AKID/yyyyMMdd/region/service/aws4_request</c> from the right (the key id is the rest).</summary>
    private static bool TryParseCredential(ReadOnlySpan<byte> credential, out ReadOnlySpan<byte> accessKey,
        out ReadOnlySpan<byte> date, out ReadOnlySpan<byte> region, out ReadOnlySpan<byte> service)
    {
        accessKey = date = region = service = default;
        int s4 = credential.LastIndexOf((byte)'/');
        int s3 = s4 < 0 ? -1 : credential[..s4].LastIndexOf((byte)'/');
        int s2 = s3 < 0 ? -1 : credential[..s3].LastIndexOf((byte)'/');
        int s1 = s2 < 0 ? -1 : credential[..s2].LastIndexOf((byte)'/');
        if (s1 < 0)
        {
            return false;
        }

        accessKey = credential[..s1];
        date = credential[(s1 + 1)..s2];
        region = credential[(s2 + 1)..s3];
        service = credential[(s3 + 1)..s4];
        return !accessKey.IsEmpty && !region.IsEmpty && !service.IsEmpty
            && credential[(s4 + 1)..].SequenceEqual(SigV4Algorithm.Terminator)
            && date.Length == ScopeDateLength && date.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    private static bool TryParseSeconds(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        const int MaxDigits = 12;
        if (text.IsEmpty || text.Length > MaxDigits)
        {
            return false;
        }

        foreach (byte c in text)
        {
            if ((uint)(c - '0') > 9)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static bool AllAmzHeadersSigned<THeaders>(THeaders headers, ReadOnlySpan<byte> signedHeaders)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int count = headers.Count;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> name = headers.GetName(i);
            if (name.Length > 6 && Ascii.EqualsIgnoreCase(name[..6], "x-amz-"u8) && !HeaderLookup.IsSigned(signedHeaders, name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Marks component <paramref name="bit"/> seen; false when it already was.</summary>
    private static bool MarkSeen(ref int seen, int bit)
    {
        if ((seen & bit) != 0)
        {
            return false;
        }

        seen |= bit;
        return true;
    }

    private static bool HasSecondHeader<THeaders>(THeaders headers, int first, ReadOnlySpan<byte> name)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int count = headers.Count;
        for (int i = first + 1; i < count; i++)
        {
            if (Ascii.EqualsIgnoreCase(headers.GetName(i), name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when a presigned-URL parameter appears twice, counting names as the canonicalizer sees them (percent-decoded),
    /// so <c>X-Amz-Signature</c> and <c>X%2DAmz-Signature</c> are the same parameter.
    /// </summary>
    private static bool HasRepeatedAuthParam(ReadOnlySpan<byte> query)
    {
        int seen = 0;
        Span<byte> decoded = stackalloc byte[32]; // longer than any auth parameter name
        ReadOnlySpan<byte> rest = query;
        while (!rest.IsEmpty)
        {
            int amp = rest.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? default : rest[(amp + 1)..];
            int eq = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> rawName = eq < 0 ? pair : pair[..eq];
            if (!TryDecodeShortName(rawName, decoded, out int length))
            {
                continue;
            }

            for (int i = 0; i < QueryAuthNames.Length; i++)
            {
                if (decoded[..length].SequenceEqual(QueryAuthNames[i]))
                {
                    if ((seen & (1 << i)) != 0)
                    {
                        return true;
                    }

                    seen |= 1 << i;
                    break;
                }
            }
        }

        return false;
    }

    /// <summary>Percent-decodes a query parameter name that fits <paramref name="destination"/>; false otherwise.</summary>
    private static bool TryDecodeShortName(ReadOnlySpan<byte> raw, Span<byte> destination, out int length)
    {
        length = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (length == destination.Length)
            {
                return false;
            }

            byte b = raw[i];
            if (b == (byte)'%' && i + 2 < raw.Length)
            {
                int hi = HexEncoding.Value(raw[i + 1]);
                int lo = HexEncoding.Value(raw[i + 2]);
                if ((hi | lo) < 0)
                {
                    return false;
                }

                b = (byte)((hi << 4) | lo);
                i += 2;
            }
            else if (b == (byte)'+')
            {
                b = (byte)' ';
            }

            destination[length++] = b;
        }

        return true;
    }

    internal static bool HasQueryParam(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name) => TryGetQueryParam(query, name, out _);

    /// <summary>First raw (still encoded) value of the parameter named exactly <paramref name="name"/> (SigV2's
    /// verifier reads its query parameters with it too).</summary>
    internal static bool TryGetQueryParam(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        ReadOnlySpan<byte> rest = query;
        while (!rest.IsEmpty)
        {
            int amp = rest.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? default : rest[(amp + 1)..];
            if (pair.StartsWith(name) && (pair.Length == name.Length || pair[name.Length] == (byte)'='))
            {
                value = pair.Length == name.Length ? default : pair[(name.Length + 1)..];
                return true;
            }
        }

        value = default;
        return false;
    }
}
