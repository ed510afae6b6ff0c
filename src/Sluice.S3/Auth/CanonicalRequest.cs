using System.Security.Cryptography;

namespace Sluice.S3.Auth;

/// <summary>Writes and hashes the SigV4 canonical request; one implementation for signer and verifier.</summary>
internal static class CanonicalRequest
{
    /// <summary>Covers a typical S3 request's canonical form without touching the pool.</summary>
    private const int StackBytes = 1024;

    /// <summary>Builds the canonical request and writes its SHA-256 into <paramref name="hash"/>.</summary>
    public static void Hash<THeaders>(
        scoped ReadOnlySpan<byte> method,
        scoped ReadOnlySpan<byte> rawPath,
        scoped ReadOnlySpan<byte> rawQuery,
        bool omitSignatureParam,
        THeaders headers,
        scoped ReadOnlySpan<byte> signedHeaders,
        scoped ReadOnlySpan<byte> payloadHash,
        SigV4UriMode mode,
        Span<byte> hash)
        where THeaders : ISigV4Headers, allows ref struct
    {
        var builder = new ValueByteBuilder(stackalloc byte[StackBytes]);
        try
        {
            Write(ref builder, method, rawPath, rawQuery, omitSignatureParam, headers, signedHeaders, payloadHash, mode);
            SigV4Hashes.Sha256(builder.Written, hash);
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static void Write<THeaders>(
        ref ValueByteBuilder builder,
        scoped ReadOnlySpan<byte> method,
        scoped ReadOnlySpan<byte> rawPath,
        scoped ReadOnlySpan<byte> rawQuery,
        bool omitSignatureParam,
        THeaders headers,
        scoped ReadOnlySpan<byte> signedHeaders,
        scoped ReadOnlySpan<byte> payloadHash,
        SigV4UriMode mode)
        where THeaders : ISigV4Headers, allows ref struct
    {
        builder.Append(method);
        builder.Append((byte)'\n');
        SigV4Encoding.AppendCanonicalUri(ref builder, rawPath, mode);
        builder.Append((byte)'\n');
        SigV4Encoding.AppendCanonicalQuery(ref builder, rawQuery, omitSignatureParam);
        builder.Append((byte)'\n');
        AppendCanonicalHeaders(ref builder, headers, signedHeaders);
        builder.Append((byte)'\n');
        builder.Append(signedHeaders);
        builder.Append((byte)'\n');
        builder.Append(payloadHash);
    }

    /// <summary>One "name:value\n" line per signed name; repeated headers joined with ',' in arrival order.</summary>
    private static void AppendCanonicalHeaders<THeaders>(ref ValueByteBuilder builder, THeaders headers, scoped ReadOnlySpan<byte> signedHeaders)
        where THeaders : ISigV4Headers, allows ref struct
    {
        ReadOnlySpan<byte> rest = signedHeaders;
        int count = headers.Count;
        while (!rest.IsEmpty)
        {
            int semi = rest.IndexOf((byte)';');
            ReadOnlySpan<byte> name = semi < 0 ? rest : rest[..semi];
            Span<byte> lower = builder.AppendSpan(name.Length);
            System.Text.Ascii.ToLower(name, lower, out _);
            builder.Append((byte)':');
            bool first = true;
            for (int i = 0; i < count; i++)
            {
                if (!System.Text.Ascii.EqualsIgnoreCase(headers.GetName(i), name))
                {
                    continue;
                }

                if (!first)
                {
                    builder.Append((byte)',');
                }

                HeaderLookup.AppendCanonicalValue(ref builder, headers.GetValue(i));
                first = false;
            }

            builder.Append((byte)'\n');
            if (semi < 0)
            {
                break;
            }

            rest = rest[(semi + 1)..];
        }
    }
}
