using System.Security.Cryptography;

namespace Sluice.S3.Auth;

/// <summary>The SigV4 primitives: strings to sign (request, chunk, trailer), signing key derivation, HMAC.</summary>
internal static class SigV4Algorithm
{
    public const int HashLength = 32;
    public const int HexHashLength = 64;

    /// <summary>Longest credential scope accepted; bounds every stack buffer that holds a scope.</summary>
    public const int MaxScopeLength = 256;

    /// <summary>Secrets longer than this are pathological; they still work through the pool.</summary>
    private const int StackSecretBytes = 256;

    private const int StringToSignFixedBytes = 160;
    private const int ChunkStringToSignFixedBytes = 256;

    public static ReadOnlySpan<byte> AlgorithmName => "AWS4-HMAC-SHA256"u8;

    public static ReadOnlySpan<byte> Terminator => "aws4_request"u8;

    /// <summary>Hex SHA-256 of the empty string; every chunk string-to-sign carries it.</summary>
    public static ReadOnlySpan<byte> EmptyHashHex => "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"u8;

    private static ReadOnlySpan<byte> ChunkAlgorithm => "AWS4-HMAC-SHA256-PAYLOAD"u8;

    private static ReadOnlySpan<byte> TrailerAlgorithm => "AWS4-HMAC-SHA256-TRAILER"u8;

    /// <summary>signature = HMAC(key, "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + hex(canonicalHash)).</summary>
    public static void SignRequest(ReadOnlySpan<byte> key, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> scope,
        ReadOnlySpan<byte> canonicalRequestHash, Span<byte> signature)
    {
        Span<byte> sts = stackalloc byte[StringToSignFixedBytes + MaxScopeLength];
        int n = PutHead(sts, AlgorithmName, timestamp, scope);
        n = PutHexLine(sts, n, canonicalRequestHash);
        SigV4Hashes.HmacSha256(key, sts[..n], signature);
    }

    /// <summary>Chunk signature: chained from the previous signature over the chunk data's SHA-256.</summary>
    public static void SignChunk(ReadOnlySpan<byte> key, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> scope,
        ReadOnlySpan<byte> previousSignature, ReadOnlySpan<byte> chunkHash, Span<byte> signature)
    {
        Span<byte> sts = stackalloc byte[ChunkStringToSignFixedBytes + MaxScopeLength];
        int n = PutHead(sts, ChunkAlgorithm, timestamp, scope);
        n = PutHexLine(sts, n, previousSignature);
        n = PutLine(sts, n, EmptyHashHex);
        n = PutHexLine(sts, n, chunkHash);
        SigV4Hashes.HmacSha256(key, sts[..n], signature);
    }

    /// <summary>Trailer signature: chained from the final chunk's signature over the canonical trailers' SHA-256.</summary>
    public static void SignTrailer(ReadOnlySpan<byte> key, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> scope,
        ReadOnlySpan<byte> previousSignature, ReadOnlySpan<byte> trailerHash, Span<byte> signature)
    {
        Span<byte> sts = stackalloc byte[ChunkStringToSignFixedBytes + MaxScopeLength];
        int n = PutHead(sts, TrailerAlgorithm, timestamp, scope);
        n = PutHexLine(sts, n, previousSignature);
        n = PutHexLine(sts, n, trailerHash);
        SigV4Hashes.HmacSha256(key, sts[..n], signature);
    }

    /// <summary>A chunk signature chain starts from the request's 16-byte timestamp and 32-byte seed signature.</summary>
    public static void ThrowIfInvalidChainSeed(ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> seedSignature)
    {
        if (timestamp.Length != AmzDate.Length || seedSignature.Length != HashLength)
        {
            throw new ArgumentException("Expected a 16-byte timestamp and a 32-byte seed signature.");
        }
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static void DeriveSigningKey(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> date, ReadOnlySpan<byte> region,
        ReadOnlySpan<byte> service, Span<byte> key)
    {
        int length = 4 + secret.Length;
        byte[]? rented = null;
        Span<byte> seed = length <= StackSecretBytes
            ? stackalloc byte[StackSecretBytes]
            : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        try
        {
            "AWS4"u8.CopyTo(seed);
            secret.CopyTo(seed[4..]);
            Span<byte> k = stackalloc byte[HashLength];
            HMACSHA256.HashData(seed[..length], date, k);
            HMACSHA256.HashData(k, region, k);
            HMACSHA256.HashData(k, service, k);
            HMACSHA256.HashData(k, Terminator, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed[..length]);
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Canonical trailers: "name:value\n" per line, names lowercased, values trimmed, sorted by name.</summary>
    public static void HashTrailers(ReadOnlySpan<byte> trailerLines, Span<byte> hash)
    {
        const int StackLines = 8;
        Span<SigV4Encoding.QueryParam> items = stackalloc SigV4Encoding.QueryParam[StackLines];
        var scratch = new ValueByteBuilder(stackalloc byte[512]);
        var output = new ValueByteBuilder(stackalloc byte[512]);
        SigV4Encoding.QueryParam[]? rented = null;
        try
        {
            int count = 0;
            ReadOnlySpan<byte> rest = trailerLines;
            while (!rest.IsEmpty)
            {
                int lf = rest.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = lf < 0 ? rest : rest[..lf];
                rest = lf < 0 ? default : rest[(lf + 1)..];
                line = line.TrimEnd((byte)'\r');
                if (line.IsEmpty)
                {
                    continue;
                }

                int colon = line.IndexOf((byte)':');
                ReadOnlySpan<byte> name = HeaderLookup.Trim(colon < 0 ? line : line[..colon]);
                ReadOnlySpan<byte> value = colon < 0 ? default : line[(colon + 1)..];
                int start = scratch.Length;
                System.Text.Ascii.ToLower(name, scratch.AppendSpan(name.Length), out _);
                int valueStart = scratch.Length;
                HeaderLookup.AppendCanonicalValue(ref scratch, value);
                if (count == items.Length)
                {
                    var bigger = System.Buffers.ArrayPool<SigV4Encoding.QueryParam>.Shared.Rent(count * 2);
                    items.CopyTo(bigger);
                    if (rented is not null)
                    {
                        System.Buffers.ArrayPool<SigV4Encoding.QueryParam>.Shared.Return(rented);
                    }

                    rented = bigger;
                    items = bigger;
                }

                items[count++] = new SigV4Encoding.QueryParam(start, name.Length, valueStart, scratch.Length - valueStart);
            }

            ReadOnlySpan<byte> data = scratch.Written;
            Span<SigV4Encoding.QueryParam> used = items[..count];
            SigV4Encoding.Sort(used, data);
            foreach (SigV4Encoding.QueryParam item in used)
            {
                output.Append(data.Slice(item.NameStart, item.NameLength));
                output.Append((byte)':');
                output.Append(data.Slice(item.ValueStart, item.ValueLength));
                output.Append((byte)'\n');
            }

            SigV4Hashes.Sha256(output.Written, hash);
        }
        finally
        {
            scratch.Dispose();
            output.Dispose();
            if (rented is not null)
            {
                System.Buffers.ArrayPool<SigV4Encoding.QueryParam>.Shared.Return(rented);
            }
        }
    }

    // Every string to sign starts "algorithm\ntimestamp\nscope"; the lines after it differ.
    private static int PutHead(Span<byte> destination, ReadOnlySpan<byte> algorithm, ReadOnlySpan<byte> timestamp,
        ReadOnlySpan<byte> scope)
    {
        int n = Put(destination, 0, algorithm);
        n = PutLine(destination, n, timestamp);
        return PutLine(destination, n, scope);
    }

    // "\n" + the lowercase hex of a 32-byte hash.
    private static int PutHexLine(Span<byte> destination, int offset, ReadOnlySpan<byte> hash)
    {
        destination[offset++] = (byte)'\n';
        HexEncoding.EncodeLower(hash, destination.Slice(offset, HexHashLength));
        return offset + HexHashLength;
    }

    private static int Put(Span<byte> destination, int offset, ReadOnlySpan<byte> value)
    {
        value.CopyTo(destination[offset..]);
        return offset + value.Length;
    }

    private static int PutLine(Span<byte> destination, int offset, ReadOnlySpan<byte> value)
    {
        destination[offset++] = (byte)'\n';
        return Put(destination, offset, value);
    }
}
