using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;

namespace Sluice.S3.Tests.Auth;

/// <summary>Parses raw HTTP test requests and exposes internals (canonical request text) for assertions.</summary>
internal static class AuthTestHelpers
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static string Sha256Hex(string s) => Convert.ToHexStringLower(SHA256.HashData(Utf8(s)));

    /// <summary>The canonical request as text, built by the same code the signer and verifier use.</summary>
    public static string CanonicalRequestText(string method, string path, string query, SigV4HeaderList headers,
        string signedHeaders, string payloadHash, SigV4UriMode mode, bool omitSignature = false)
    {
        var builder = new ValueByteBuilder(new byte[64]);
        try
        {
            CanonicalRequest.Write(ref builder, Utf8(method), Utf8(path), Utf8(query), omitSignature, headers,
                Utf8(signedHeaders), Utf8(payloadHash), mode);
            return Encoding.UTF8.GetString(builder.Written);
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The SignedHeaders component of an Authorization value.</summary>
    public static string SignedHeadersOf(string authorization) => Component(authorization, "SignedHeaders=");

    /// <summary>The Signature component of an Authorization value.</summary>
    public static string SignatureOf(string authorization) => Component(authorization, "Signature=");

    private static string Component(string authorization, string prefix)
    {
        int start = authorization.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length;
        int end = authorization.IndexOf(',', start);
        return end < 0 ? authorization[start..] : authorization[start..end];
    }

    /// <summary>
    /// Parses "METHOD target HTTP/1.1\nName:value\n..." (the SigV4 test suite's request.txt format): continuation lines
    /// (leading whitespace) extend the previous header's value; a blank line starts the body.
    /// </summary>
    public static ParsedRequest Parse(string raw)
    {
        string[] lines = raw.Split('\n');
        string[] requestLine = lines[0].Split(' ');
        string method = requestLine[0];
        // The target may contain spaces (get-space); the protocol is the last token.
        string target = string.Join(' ', requestLine[1..^1]);
        int q = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new List<(string Name, string Value)>();
        int i = 1;
        for (; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t')
            {
                (string n, string v) = headers[^1];
                headers[^1] = (n, v + "\n" + line);
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add((line[..colon], line[(colon + 1)..]));
        }

        string body = i + 1 < lines.Length ? string.Join('\n', lines[(i + 1)..]) : string.Empty;
        return new ParsedRequest(method, q < 0 ? target : target[..q], q < 0 ? string.Empty : target[(q + 1)..], headers, body);
    }

    public static SigV4HeaderList ToHeaderList(IEnumerable<(string Name, string Value)> headers)
    {
        var list = new SigV4HeaderList();
        foreach ((string name, string value) in headers)
        {
            list.Add(name, value);
        }

        return list;
    }

    /// <summary>A copy of <paramref name="source"/> with one header's value replaced (or dropped when null).</summary>
    public static SigV4HeaderList With(SigV4HeaderList source, string name, string? value)
    {
        var copy = new SigV4HeaderList();
        bool replaced = false;
        for (int i = 0; i < source.Count; i++)
        {
            string n = source.GetNameString(i);
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                if (value is not null && !replaced)
                {
                    copy.Add(n, value);
                }

                replaced = true;
                continue;
            }

            copy.Add(n, source.GetValueString(i));
        }

        if (!replaced && value is not null)
        {
            copy.Add(name, value);
        }

        return copy;
    }

    public static SigV4AuthResult Verify(SigV4Verifier verifier, string method, string path, string query,
        SigV4HeaderList headers, DateTimeOffset now, string? payloadHash = null) =>
        verifier.Verify(Utf8(method), Utf8(path), Utf8(query), headers, now,
            payloadHash is null ? default : Utf8(payloadHash));

    internal sealed record ParsedRequest(string Method, string Path, string Query, List<(string Name, string Value)> Headers, string Body);
}
