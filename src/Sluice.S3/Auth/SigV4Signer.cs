using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sluice.S3.Auth;

/// <summary>
/// Client-side SigV4: signs requests with an <c>Authorization</c> header and generates presigned URLs, using the same
/// canonicalization as <see cref="SigV4Verifier"/>. Paths and queries are given as they will be sent (use
/// <see cref="SigV4Encoding.UriEncode"/> to turn an object key into a path). Thread-safe.
/// </summary>
public sealed class SigV4Signer
{
    private const int StackTextBytes = 1024;
    private const int StackHeaderRanges = 32;

    private readonly string _accessKeyId;
    private readonly byte[] _secret;
    private readonly string? _sessionToken;
    private readonly byte[] _region;
    private readonly byte[] _service;
    private readonly SigV4SignerOptions _options;
    private readonly SigningKeyCache _keys;

    /// <summary>Creates a signer for one credential and region.</summary>
    public SigV4Signer(string accessKeyId, string secretAccessKey, string region, string? sessionToken = null,
        SigV4SignerOptions? options = null, SigningKeyCache? keyCache = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        ArgumentException.ThrowIfNullOrEmpty(region);
        _accessKeyId = accessKeyId;
        _secret = Encoding.UTF8.GetBytes(secretAccessKey);
        _sessionToken = sessionToken;
        _region = Encoding.UTF8.GetBytes(region);
        _options = options ?? new SigV4SignerOptions();
        _service = Encoding.UTF8.GetBytes(_options.Service);
        _keys = keyCache ?? new SigningKeyCache();
    }

    /// <summary>Formats a time as <c>x-amz-date</c> (<c>yyyyMMddTHHmmssZ</c>).</summary>
    public static string FormatAmzDate(DateTimeOffset time) => AmzDate.Format(time);

    /// <summary>
    /// Signs a request. Adds to <paramref name="headers"/> whatever is missing of <c>x-amz-date</c> (from
    /// <paramref name="time"/>; an existing one wins), <c>x-amz-content-sha256</c> (= <paramref name="payloadHash"/>),
    /// <c>x-amz-security-token</c>, and finally <c>Authorization</c>. All headers present are signed except
    /// hop-by-hop ones and <c>user-agent</c>; <c>host</c> must be present.
    /// </summary>
    public SigV4SigningResult SignHeaders(SigV4HeaderList headers, string method, string rawPath, string? rawQuery,
        string payloadHash, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(rawPath);
        ArgumentException.ThrowIfNullOrEmpty(payloadHash);
        if (headers.IndexOf("authorization"u8) >= 0)
        {
            throw new ArgumentException("The headers are already signed.", nameof(headers));
        }

        RequireHost(headers);
        Span<byte> timestamp = stackalloc byte[AmzDate.Length];
        int amzDate = headers.IndexOf("x-amz-date"u8);
        if (amzDate >= 0)
        {
            ReadOnlySpan<byte> value = HeaderLookup.Trim(headers.GetValue(amzDate));
            if (!AmzDate.TryParse(value, out _))
            {
                throw new ArgumentException("x-amz-date is not yyyyMMddTHHmmssZ.", nameof(headers));
            }

            value.CopyTo(timestamp);
        }
        else
        {
            AmzDate.Format(time, timestamp);
            headers.Add("x-amz-date"u8, timestamp);
        }

        if (_options.AddContentSha256Header && headers.IndexOf("x-amz-content-sha256"u8) < 0)
        {
            headers.Add("x-amz-content-sha256", payloadHash);
        }

        if (_sessionToken is not null && _options.SignSessionToken && headers.IndexOf("x-amz-security-token"u8) < 0)
        {
            headers.Add("x-amz-security-token", _sessionToken);
        }

        SigV4SigningKey key = _keys.GetOrCreate(_secret, timestamp[..AmzDate.DateLength], _region, _service);
        var signedHeaders = new ValueByteBuilder(stackalloc byte[StackTextBytes / 4]);
        var text = new ValueByteBuilder(stackalloc byte[StackTextBytes]);
        var authorization = new ValueByteBuilder(stackalloc byte[StackTextBytes / 2]);
        try
        {
            AppendSignedHeaders(ref signedHeaders, headers);
            Span<byte> signature = stackalloc byte[SigV4Algorithm.HashLength];
            Sign(ref text, key, timestamp, method, rawPath, rawQuery, omitSignature: false, headers, signedHeaders.Written,
                payloadHash, signature);

            if (_sessionToken is not null && !_options.SignSessionToken && headers.IndexOf("x-amz-security-token"u8) < 0)
            {
                headers.Add("x-amz-security-token", _sessionToken);
            }

            authorization.Append(SigV4Algorithm.AlgorithmName);
            authorization.Append(" Credential="u8);
            AppendUtf8(ref authorization, _accessKeyId);
            authorization.Append((byte)'/');
            authorization.Append(key.ScopeUtf8);
            authorization.Append(", SignedHeaders="u8);
            authorization.Append(signedHeaders.Written);
            authorization.Append(", Signature="u8);
            HexEncoding.EncodeLower(signature, authorization.AppendSpan(SigV4Algorithm.HexHashLength));
            headers.Add("Authorization"u8, authorization.Written);
            return new SigV4SigningResult(Encoding.UTF8.GetString(authorization.Written), key, timestamp, signature);
        }
        finally
        {
            signedHeaders.Dispose();
            text.Dispose();
            authorization.Dispose();
        }
    }

    /// <summary>
    /// Presigns a request: returns the complete query string (without '?') to send, the original parameters plus
    /// <c>X-Amz-Algorithm</c>, <c>-Credential</c>, <c>-Date</c>, <c>-Expires</c>, <c>-SignedHeaders</c>,
    /// <c>-Security-Token</c> (with a session token) and <c>-Signature</c>. <paramref name="headers"/> must hold
    /// <c>host</c> and anything else the URL's user must send.
    /// </summary>
    public string Presign(SigV4HeaderList headers, string method, string rawPath, string? rawQuery, DateTimeOffset time,
        int expiresSeconds, string payloadHash = SigV4PayloadHash.UnsignedPayload)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(rawPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(expiresSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expiresSeconds, SigV4VerifierOptions.MaxPresignedExpirySeconds);
        RequireHost(headers);

        Span<byte> timestamp = stackalloc byte[AmzDate.Length];
        AmzDate.Format(time, timestamp);
        SigV4SigningKey key = _keys.GetOrCreate(_secret, timestamp[..AmzDate.DateLength], _region, _service);
        var signedHeaders = new ValueByteBuilder(stackalloc byte[StackTextBytes / 4]);
        var query = new ValueByteBuilder(stackalloc byte[StackTextBytes]);
        var text = new ValueByteBuilder(stackalloc byte[StackTextBytes]);
        var output = new ValueByteBuilder(stackalloc byte[StackTextBytes]);
        try
        {
            AppendSignedHeaders(ref signedHeaders, headers);
            if (!string.IsNullOrEmpty(rawQuery))
            {
                AppendUtf8(ref query, rawQuery);
                query.Append((byte)'&');
            }

            query.Append("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="u8);
            var credential = new ValueByteBuilder(stackalloc byte[SigV4Algorithm.MaxScopeLength]);
            try
            {
                AppendUtf8(ref credential, _accessKeyId);
                credential.Append((byte)'/');
                credential.Append(key.ScopeUtf8);
                SigV4Encoding.AppendEncoded(ref query, credential.Written, keepSlash: false);
            }
            finally
            {
                credential.Dispose();
            }

            query.Append("&X-Amz-Date="u8);
            query.Append(timestamp);
            query.Append("&X-Amz-Expires="u8);
            expiresSeconds.TryFormat(query.AppendSpan(Digits(expiresSeconds)), out _, default, CultureInfo.InvariantCulture);
            if (_sessionToken is not null)
            {
                query.Append("&X-Amz-Security-Token="u8);
                SigV4Encoding.AppendEncoded(ref query, Encoding.UTF8.GetBytes(_sessionToken), keepSlash: false);
            }

            query.Append("&X-Amz-SignedHeaders="u8);
            SigV4Encoding.AppendEncoded(ref query, signedHeaders.Written, keepSlash: false);

            Span<byte> signature = stackalloc byte[SigV4Algorithm.HashLength];
            Sign(ref text, key, timestamp, method, rawPath, Encoding.UTF8.GetString(query.Written), omitSignature: true,
                headers, signedHeaders.Written, payloadHash, signature);

            // The canonical (sorted, normalized) query is itself a valid query to send.
            SigV4Encoding.AppendCanonicalQuery(ref output, query.Written, omitSignature: true);
            output.Append("&X-Amz-Signature="u8);
            HexEncoding.EncodeLower(signature, output.AppendSpan(SigV4Algorithm.HexHashLength));
            return Encoding.ASCII.GetString(output.Written);
        }
        finally
        {
            signedHeaders.Dispose();
            query.Dispose();
            text.Dispose();
            output.Dispose();
        }
    }

    /// <summary>The ';'-joined sorted lowercase names of the headers that get signed.</summary>
    internal static void AppendSignedHeaders(ref ValueByteBuilder output, SigV4HeaderList headers)
    {
        int count = headers.Count;
        SigV4Encoding.QueryParam[]? rented = null;
        Span<SigV4Encoding.QueryParam> names = count <= StackHeaderRanges
            ? stackalloc SigV4Encoding.QueryParam[StackHeaderRanges]
            : (rented = ArrayPool<SigV4Encoding.QueryParam>.Shared.Rent(count));
        var scratch = new ValueByteBuilder(stackalloc byte[StackTextBytes / 4]);
        try
        {
            int used = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> name = headers.GetName(i);
                if (!IsSignable(name))
                {
                    continue;
                }

                int start = scratch.Length;
                Ascii.ToLower(name, scratch.AppendSpan(name.Length), out _);
                names[used++] = new SigV4Encoding.QueryParam(start, name.Length, start + name.Length, 0);
            }

            ReadOnlySpan<byte> data = scratch.Written;
            SigV4Encoding.Sort(names[..used], data);
            scoped ReadOnlySpan<byte> previous = default;
            for (int i = 0; i < used; i++)
            {
                ReadOnlySpan<byte> name = data.Slice(names[i].NameStart, names[i].NameLength);
                if (i > 0 && name.SequenceEqual(previous))
                {
                    continue;
                }

                if (i > 0)
                {
                    output.Append((byte)';');
                }

                output.Append(name);
                previous = name;
            }
        }
        finally
        {
            scratch.Dispose();
            if (rented is not null)
            {
                ArrayPool<SigV4Encoding.QueryParam>.Shared.Return(rented);
            }
        }
    }

    private void Sign(ref ValueByteBuilder text, SigV4SigningKey key, ReadOnlySpan<byte> timestamp, string method,
        string rawPath, string? rawQuery, bool omitSignature, SigV4HeaderList headers, ReadOnlySpan<byte> signedHeaders,
        string payloadHash, Span<byte> signature)
    {
        int methodLength = AppendUtf8(ref text, method);
        int pathLength = AppendUtf8(ref text, rawPath);
        int queryLength = AppendUtf8(ref text, rawQuery ?? string.Empty);
        int hashLength = AppendUtf8(ref text, payloadHash);
        ReadOnlySpan<byte> all = text.Written;
        int p = methodLength;
        int q = p + pathLength;
        int h = q + queryLength;
        Span<byte> canonicalHash = stackalloc byte[SigV4Algorithm.HashLength];
        CanonicalRequest.Hash(all[..p], all[p..q], all[q..h], omitSignature, headers, signedHeaders, all[h..(h + hashLength)],
            _options.UriMode, canonicalHash);
        SigV4Algorithm.SignRequest(key.Key, timestamp, key.ScopeUtf8, canonicalHash, signature);
    }

    private static int AppendUtf8(ref ValueByteBuilder builder, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, builder.AppendSpan(length));
        return length;
    }

    private static void RequireHost(SigV4HeaderList headers)
    {
        if (headers.IndexOf("host"u8) < 0)
        {
            throw new ArgumentException("A host header is required: SigV4 always signs it.", nameof(headers));
        }
    }

    private static int Digits(int value) => value < 10 ? 1 : (int)Math.Floor(Math.Log10(value)) + 1;

    /// <summary>Hop-by-hop and agent headers are not signed; proxies may change them.</summary>
    private static bool IsSignable(ReadOnlySpan<byte> name) =>
        !(Ascii.EqualsIgnoreCase(name, "authorization"u8) || Ascii.EqualsIgnoreCase(name, "user-agent"u8)
          || Ascii.EqualsIgnoreCase(name, "expect"u8) || Ascii.EqualsIgnoreCase(name, "connection"u8)
          || Ascii.EqualsIgnoreCase(name, "keep-alive"u8) || Ascii.EqualsIgnoreCase(name, "proxy-authorization"u8)
          || Ascii.EqualsIgnoreCase(name, "te"u8) || Ascii.EqualsIgnoreCase(name, "trailer"u8)
          || Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8) || Ascii.EqualsIgnoreCase(name, "upgrade"u8)
          || Ascii.EqualsIgnoreCase(name, "x-amzn-trace-id"u8));
}
