using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Errors;

namespace Sluice.S3.Auth;

/// <summary>
/// Server-side verification of S3's legacy Signature Version 2: the <c>Authorization: AWS AccessKeyId:Signature</c>
/// header and presigned query strings (<c>AWSAccessKeyId</c>, <c>Expires</c>, <c>Signature</c>). The signature is
/// HMAC-SHA1, base64, over <c>Method\nContent-MD5\nContent-Type\nDate\nCanonicalizedAmzHeaders
/// CanonicalizedResource</c>, as the S3 developer guide's "Signing and authenticating REST requests" defines it. The
/// result is the same <see cref="SigV4AuthResult"/> SigV4 gives (the credential, header or query), marked
/// <see cref="SigV4AuthResult.IsSigV2"/>, with an ordinary payload: SigV2 has no chunk signing. Legacy clients only,
/// so this path favours clarity over zero allocation; SigV4 requests never reach it.
/// </summary>
public sealed class SigV2Verifier
{
    /// <summary>S3's sub-resources and response overrides that belong in the canonicalized resource (those the AWS
    /// SDKs sign), sorted ordinally.</summary>
    private static readonly string[] SignedSubresources =
    [
        "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location",
        "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires", "restore", "select", "select-type", "storageClass", "tagging",
        "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    ];

    private const string MsgHeader = "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature";
    private const string MsgDateRequired = "AWS authentication requires a valid Date or x-amz-date header";
    private const string MsgSkew = "The difference between the request time and the current time is too large.";
    private const string MsgUnknownKey = "The AWS Access Key Id you provided does not exist in our records.";
    private const string MsgSignature =
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
    private const string MsgQueryMissing = "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters";
    private const string MsgExpired = "Request has expired";
    private const string MsgMissingToken = "Your request was missing a required header: x-amz-security-token.";
    private const string MsgBadToken = "The provided token is malformed or otherwise invalid.";
    private const string MsgTwoMechanisms =
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified";
    private const string MsgRepeatedHeader = "The authorization header is malformed; only one Authorization header is allowed.";
    private const string MsgRepeatedQuery = "Each of AWSAccessKeyId, Expires and Signature must appear exactly once.";

    private readonly ISigV4CredentialProvider _credentials;
    private readonly TimeSpan _maxClockSkew;

    /// <summary>Creates a verifier resolving access keys through <paramref name="credentials"/>.</summary>
    public SigV2Verifier(ISigV4CredentialProvider credentials, TimeSpan? maxClockSkew = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        _maxClockSkew = maxClockSkew ?? TimeSpan.FromMinutes(15);
    }

    /// <summary>
    /// True when the request is signed with SigV2: an <c>Authorization</c> header of the <c>AWS </c> scheme, or (no
    /// Authorization header and no SigV4 query parameter) an <c>AWSAccessKeyId</c> or <c>Signature</c> query
    /// parameter. Costs one header scan, and a query scan only when there is a query.
    /// </summary>
    public static bool Applies<THeaders>(THeaders headers, ReadOnlySpan<byte> rawQuery)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int authorization = HeaderLookup.IndexOf(headers, "authorization"u8);
        if (authorization >= 0)
        {
            return HeaderLookup.Trim(headers.GetValue(authorization)).StartsWith("AWS "u8);
        }

        return !rawQuery.IsEmpty
            && (SigV4Verifier.HasQueryParam(rawQuery, "AWSAccessKeyId"u8) || SigV4Verifier.HasQueryParam(rawQuery, "Signature"u8))
            && !SigV4Verifier.HasQueryParam(rawQuery, "X-Amz-Algorithm"u8) && !SigV4Verifier.HasQueryParam(rawQuery, "X-Amz-Credential"u8)
            && !SigV4Verifier.HasQueryParam(rawQuery, "X-Amz-Signature"u8);
    }

    /// <summary>
    /// Verifies a SigV2 request. <paramref name="rawPath"/> and <paramref name="rawQuery"/> are exactly as received;
    /// <paramref name="virtualHostBucket"/> is the bucket a virtual-hosted request names in its Host (empty for
    /// path style), which the canonicalized resource starts with. On failure <paramref name="error"/> is the S3 error
    /// to answer (SignatureDoesNotMatch carries the StringToSign, as S3 sends it).
    /// </summary>
    public SigV4AuthResult Verify<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath, ReadOnlySpan<byte> rawQuery,
        THeaders headers, ReadOnlySpan<byte> virtualHostBucket, DateTimeOffset now, out S3Error? error)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int authorization = HeaderLookup.IndexOf(headers, "authorization"u8);
        return authorization >= 0
            ? VerifyHeader(method, rawPath, rawQuery, headers, authorization, virtualHostBucket, now, out error)
            : VerifyQuery(method, rawPath, rawQuery, headers, virtualHostBucket, now, out error);
    }

    private SigV4AuthResult VerifyHeader<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath, ReadOnlySpan<byte> rawQuery,
        THeaders headers, int authorization, ReadOnlySpan<byte> virtualHostBucket, DateTimeOffset now, out S3Error? error)
        where THeaders : ISigV4Headers, allows ref struct
    {
        if (SigV4Verifier.HasQueryParam(rawQuery, "AWSAccessKeyId"u8) || SigV4Verifier.HasQueryParam(rawQuery, "Signature"u8) || SigV4Verifier.HasQueryParam(rawQuery, "X-Amz-Signature"u8)
            || SigV4Verifier.HasQueryParam(rawQuery, "X-Amz-Algorithm"u8))
        {
            return Fail(new S3Error(S3ErrorCode.InvalidArgument, MsgTwoMechanisms), out error);
        }

        for (int i = authorization + 1; i < headers.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(headers.GetName(i), "authorization"u8))
            {
                return Fail(new S3Error(S3ErrorCode.AuthorizationHeaderMalformed, MsgRepeatedHeader), out error);
            }
        }

        ReadOnlySpan<byte> value = HeaderLookup.Trim(headers.GetValue(authorization));
        ReadOnlySpan<byte> credentials = HeaderLookup.Trim(value["AWS "u8.Length..]);
        int colon = credentials.LastIndexOf((byte)':');
        if (colon <= 0 || colon == credentials.Length - 1 || credentials.IndexOfAny((byte)' ', (byte)'\t') >= 0)
        {
            return Fail(new S3Error(S3ErrorCode.InvalidArgument, MsgHeader)
                .WithDetail("ArgumentName", "Authorization").WithDetail("ArgumentValue", Encoding.UTF8.GetString(value)), out error);
        }

        ReadOnlySpan<byte> accessKey = credentials[..colon];
        ReadOnlySpan<byte> signature = credentials[(colon + 1)..];

        // The request time: x-amz-date (which then blanks the Date line of the string to sign), else Date.
        int amzDate = HeaderLookup.IndexOf(headers, "x-amz-date"u8);
        int date = amzDate >= 0 ? amzDate : HeaderLookup.IndexOf(headers, "date"u8);
        if (date < 0 || !TryParseRequestDate(HeaderLookup.Trim(headers.GetValue(date)), out DateTimeOffset requestTime))
        {
            return Fail(new S3Error(S3ErrorCode.AccessDenied, MsgDateRequired), out error);
        }

        if ((requestTime - now).Duration() > _maxClockSkew)
        {
            return Fail(new S3Error(S3ErrorCode.RequestTimeTooSkewed, MsgSkew)
                .WithDetail("RequestTime", Encoding.UTF8.GetString(HeaderLookup.Trim(headers.GetValue(date))))
                .WithDetail("ServerTime", Iso(now))
                .WithDetail("MaxAllowedSkewMilliseconds",
                    ((long)_maxClockSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)), out error);
        }

        ReadOnlySpan<byte> dateLine = amzDate >= 0 ? default : HeaderLookup.Trim(headers.GetValue(date));
        return Complete(SigV4AuthMethod.Header, method, rawPath, rawQuery, headers, virtualHostBucket, accessKey, signature,
            dateLine, requestTime, null, out error);
    }

    private SigV4AuthResult VerifyQuery<THeaders>(ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath, ReadOnlySpan<byte> rawQuery,
        THeaders headers, ReadOnlySpan<byte> virtualHostBucket, DateTimeOffset now, out S3Error? error)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int keys = CountParam(rawQuery, "AWSAccessKeyId"u8), signatures = CountParam(rawQuery, "Signature"u8),
            expiries = CountParam(rawQuery, "Expires"u8);
        if (keys == 0 || signatures == 0 || expiries == 0)
        {
            return Fail(new S3Error(S3ErrorCode.AccessDenied, MsgQueryMissing), out error);
        }

        if (keys > 1 || signatures > 1 || expiries > 1)
        {
            return Fail(new S3Error(S3ErrorCode.InvalidArgument, MsgRepeatedQuery), out error);
        }

        SigV4Verifier.TryGetQueryParam(rawQuery, "AWSAccessKeyId"u8, out ReadOnlySpan<byte> keyRaw);
        SigV4Verifier.TryGetQueryParam(rawQuery, "Signature"u8, out ReadOnlySpan<byte> signatureRaw);
        SigV4Verifier.TryGetQueryParam(rawQuery, "Expires"u8, out ReadOnlySpan<byte> expiresRaw);
        byte[] accessKey = Decode(keyRaw, plusIsSpace: true);
        // A signature is base64: a '+' in it is a plus however the client encoded it.
        byte[] signature = Decode(signatureRaw, plusIsSpace: false);
        byte[] expiresText = Decode(expiresRaw, plusIsSpace: true);
        if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out long expiresSeconds)
            || expiresSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return Fail(new S3Error(S3ErrorCode.AccessDenied,
                "Invalid date (should be seconds since epoch): " + Encoding.UTF8.GetString(expiresText)), out error);
        }

        DateTimeOffset expires = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        if (now > expires)
        {
            return Fail(new S3Error(S3ErrorCode.AccessDenied, MsgExpired)
                .WithDetail("Expires", Iso(expires)).WithDetail("ServerTime", Iso(now)), out error);
        }

        return Complete(SigV4AuthMethod.QueryString, method, rawPath, rawQuery, headers, virtualHostBucket, accessKey, signature,
            expiresText, now, expires, out error);
    }

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms",
        Justification = "SigV2 is defined as HMAC-SHA1; the server verifies what legacy clients send.")]
    private SigV4AuthResult Complete<THeaders>(SigV4AuthMethod authMethod, ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath,
        ReadOnlySpan<byte> rawQuery, THeaders headers, ReadOnlySpan<byte> virtualHostBucket, ReadOnlySpan<byte> accessKey,
        ReadOnlySpan<byte> signature, ReadOnlySpan<byte> dateLine, DateTimeOffset requestTime, DateTimeOffset? expires,
        out S3Error? error)
        where THeaders : ISigV4Headers, allows ref struct
    {
        if (!_credentials.TryGetCredential(accessKey, out SigV4Credential? credential))
        {
            return Fail(new S3Error(S3ErrorCode.InvalidAccessKeyId, MsgUnknownKey)
                .WithDetail("AWSAccessKeyId", Encoding.UTF8.GetString(accessKey)), out error);
        }

        bool queryAuth = authMethod == SigV4AuthMethod.QueryString;
        if (credential.HasSessionToken)
        {
            byte[]? token = AmzValue(headers, rawQuery, queryAuth, "x-amz-security-token");
            if (token is null)
            {
                return Fail(new S3Error(S3ErrorCode.MissingSecurityHeader, MsgMissingToken), out error);
            }

            if (!CryptographicOperations.FixedTimeEquals(token, credential.SessionTokenUtf8))
            {
                return Fail(new S3Error(S3ErrorCode.InvalidToken, MsgBadToken), out error);
            }
        }

        var stringToSign = new ArrayBufferWriter<byte>(256);
        StringToSign(stringToSign, method, rawPath, rawQuery, headers, virtualHostBucket, dateLine, queryAuth);
        Span<byte> computed = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(credential.SecretUtf8, stringToSign.WrittenSpan, computed);
        Span<byte> claimed = stackalloc byte[HMACSHA1.HashSizeInBytes + 3];
        bool decoded = Base64.DecodeFromUtf8(signature, claimed, out int consumed, out int written) == OperationStatus.Done
            && consumed == signature.Length && written == HMACSHA1.HashSizeInBytes;
        if (!decoded || !CryptographicOperations.FixedTimeEquals(computed, claimed[..HMACSHA1.HashSizeInBytes]))
        {
            return Fail(SignatureMismatch(accessKey, signature, stringToSign.WrittenSpan), out error);
        }

        error = null;
        return new SigV4AuthResult(credential, authMethod, requestTime, expires);
    }

    /// <summary>
    /// Writes the string to sign: method, Content-MD5, Content-Type, the date line (Date, empty when x-amz-date is
    /// sent, Expires for a presigned URL), the canonicalized x-amz-* headers (lower-case names, sorted, repeated
    /// ones joined with ','; a presigned URL's x-amz-* query parameters count as headers), and the canonicalized
    /// resource: /bucket for a virtual-hosted request, the path as sent, then the signed sub-resources sorted by name.
    /// </summary>
    public static void StringToSign<THeaders>(IBufferWriter<byte> output, ReadOnlySpan<byte> method, ReadOnlySpan<byte> rawPath,
        ReadOnlySpan<byte> rawQuery, THeaders headers, ReadOnlySpan<byte> virtualHostBucket, ReadOnlySpan<byte> dateLine,
        bool queryAuth)
        where THeaders : ISigV4Headers, allows ref struct
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(method);
        output.Write("\n"u8);
        WriteStandard(output, headers, rawQuery, queryAuth, "content-md5"u8);
        WriteStandard(output, headers, rawQuery, queryAuth, "content-type"u8);
        output.Write(dateLine);
        output.Write("\n"u8);

        var amz = new List<KeyValuePair<string, byte[]>>();
        for (int i = 0; i < headers.Count; i++)
        {
            ReadOnlySpan<byte> name = headers.GetName(i);
            if (name.Length > 6 && Ascii.EqualsIgnoreCase(name[..6], "x-amz-"u8))
            {
                amz.Add(new(Encoding.ASCII.GetString(name).ToLowerInvariant(), HeaderLookup.Trim(headers.GetValue(i)).ToArray()));
            }
        }

        if (queryAuth)
        {
            foreach (var (name, value) in QueryParams(rawQuery))
            {
                if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
                {
                    amz.Add(new(name.ToLowerInvariant(), value ?? []));
                }
            }
        }

        // Stable by name, so repeated headers keep their order when joined.
        var sorted = amz.Select((pair, index) => (pair, index))
            .OrderBy(p => p.pair.Key, StringComparer.Ordinal).ThenBy(p => p.index).Select(p => p.pair).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            if (i > 0 && sorted[i].Key == sorted[i - 1].Key)
            {
                output.Write(","u8);
            }
            else
            {
                if (i > 0)
                {
                    output.Write("\n"u8);
                }

                output.Write(Encoding.ASCII.GetBytes(sorted[i].Key));
                output.Write(":"u8);
            }

            output.Write(sorted[i].Value);
            if (i == sorted.Count - 1)
            {
                output.Write("\n"u8);
            }
        }

        if (!virtualHostBucket.IsEmpty)
        {
            output.Write("/"u8);
            output.Write(virtualHostBucket);
        }

        output.Write(rawPath.IsEmpty ? "/"u8 : rawPath);
        var subresources = QueryParams(rawQuery)
            .Where(p => Array.BinarySearch(SignedSubresources, p.Name, StringComparer.Ordinal) >= 0)
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        for (int i = 0; i < subresources.Count; i++)
        {
            output.Write(i == 0 ? "?"u8 : "&"u8);
            output.Write(Encoding.UTF8.GetBytes(subresources[i].Name));
            if (subresources[i].Value is { } v)
            {
                output.Write("="u8);
                output.Write(v);
            }
        }
    }

    private static void WriteStandard<THeaders>(IBufferWriter<byte> output, THeaders headers, ReadOnlySpan<byte> rawQuery,
        bool queryAuth, ReadOnlySpan<byte> name)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int index = HeaderLookup.IndexOf(headers, name);
        if (index >= 0)
        {
            output.Write(HeaderLookup.Trim(headers.GetValue(index)));
        }
        else if (queryAuth && Encoding.ASCII.GetString(name) is var text
            && QueryParams(rawQuery).FirstOrDefault(p => p.Name.Equals(text, StringComparison.OrdinalIgnoreCase)).Value is { } value)
        {
            // A presigned URL may carry Content-Type / Content-MD5 as parameters (botocore puts them there).
            output.Write(value);
        }

        output.Write("\n"u8);
    }

    /// <summary>An x-amz-* value from the headers or, for a presigned URL, the query; null when absent.</summary>
    private static byte[]? AmzValue<THeaders>(THeaders headers, ReadOnlySpan<byte> rawQuery, bool queryAuth, string name)
        where THeaders : ISigV4Headers, allows ref struct
    {
        int index = HeaderLookup.IndexOf(headers, Encoding.ASCII.GetBytes(name));
        if (index >= 0)
        {
            return HeaderLookup.Trim(headers.GetValue(index)).ToArray();
        }

        return queryAuth
            ? QueryParams(rawQuery).FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value
            : null;
    }

    /// <summary>The query's parameters, names and values percent-decoded ('+' a space); a value is null without '='.</summary>
    private static List<(string Name, byte[]? Value)> QueryParams(ReadOnlySpan<byte> rawQuery)
    {
        var list = new List<(string, byte[]?)>();
        ReadOnlySpan<byte> rest = rawQuery;
        while (!rest.IsEmpty)
        {
            int amp = rest.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? default : rest[(amp + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            int eq = pair.IndexOf((byte)'=');
            string name = Encoding.UTF8.GetString(Decode(eq < 0 ? pair : pair[..eq], plusIsSpace: true));
            list.Add((name, eq < 0 ? null : Decode(pair[(eq + 1)..], plusIsSpace: true)));
        }

        return list;
    }

    private static byte[] Decode(ReadOnlySpan<byte> raw, bool plusIsSpace)
    {
        var builder = new ValueByteBuilder(stackalloc byte[256]);
        try
        {
            SigV4Encoding.AppendPercentDecoded(ref builder, raw, plusIsSpace);
            return builder.Written.ToArray();
        }
        finally
        {
            builder.Dispose();
        }
    }

    private static S3Error SignatureMismatch(ReadOnlySpan<byte> accessKey, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> stringToSign)
    {
        var bytes = new StringBuilder(stringToSign.Length * 3);
        foreach (byte b in stringToSign)
        {
            if (bytes.Length > 0)
            {
                bytes.Append(' ');
            }

            bytes.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return new S3Error(S3ErrorCode.SignatureDoesNotMatch, MsgSignature)
            .WithDetail("AWSAccessKeyId", Encoding.UTF8.GetString(accessKey))
            .WithDetail("StringToSign", Encoding.UTF8.GetString(stringToSign))
            .WithDetail("SignatureProvided", Encoding.UTF8.GetString(signature))
            .WithDetail("StringToSignBytes", bytes.ToString());
    }

    /// <summary>x-amz-date or Date: RFC 1123 (GMT or a numeric zone, as s3cmd sends it) or ISO 8601 basic.</summary>
    private static bool TryParseRequestDate(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        if (AmzDate.TryParse(text, out value) || AmzDate.TryParseHttpDate(text, out value))
        {
            return true;
        }

        if (text.IsEmpty || text.Length > 64)
        {
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        return DateTimeOffset.TryParseExact(chars, ["ddd, dd MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm:ss zzz"],
            CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value);
    }

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static SigV4AuthResult Fail(S3Error e, out S3Error? error)
    {
        error = e;
        return SigV4AuthResult.Fail(e.Code, e.Message);
    }

    private static int CountParam(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name)
    {
        int count = 0;
        ReadOnlySpan<byte> rest = query;
        while (!rest.IsEmpty)
        {
            int amp = rest.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? default : rest[(amp + 1)..];
            if (pair.StartsWith(name) && (pair.Length == name.Length || pair[name.Length] == (byte)'='))
            {
                count++;
            }
        }

        return count;
    }
}
