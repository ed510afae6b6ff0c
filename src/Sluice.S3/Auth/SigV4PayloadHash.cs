using System.Security.Cryptography;

namespace Sluice.S3.Auth;

/// <summary>The values of <c>x-amz-content-sha256</c> and their parsing.</summary>
public static class SigV4PayloadHash
{
    /// <summary>Body not covered by the signature.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>aws-chunked body with signed chunks.</summary>
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

    /// <summary>aws-chunked body with signed chunks and a signed trailer.</summary>
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

    /// <summary>aws-chunked body, unsigned chunks, with a trailer.</summary>
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>Hex SHA-256 of an empty body.</summary>
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Lowercase hex SHA-256 of <paramref name="body"/>, the value a signed single-chunk upload declares.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SigV4Algorithm.HashLength];
        SHA256.HashData(body, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The header value for a streaming/unsigned mode (not <see cref="SigV4PayloadMode.Sha256"/>).</summary>
    public static string ForMode(SigV4PayloadMode mode) => mode switch
    {
        SigV4PayloadMode.UnsignedPayload => UnsignedPayload,
        SigV4PayloadMode.StreamingSigned => StreamingSigned,
        SigV4PayloadMode.StreamingSignedTrailer => StreamingSignedTrailer,
        SigV4PayloadMode.StreamingUnsignedTrailer => StreamingUnsignedTrailer,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "A real hash has no fixed header value."),
    };

    /// <summary>
    /// Classifies a header value; for a hex hash, writes the 32 declared bytes into <paramref name="declared"/>.
    /// False for anything else (including the ECDSA streaming modes, which SigV4-HMAC cannot verify).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SigV4PayloadMode mode, Span<byte> declared)
    {
        mode = SigV4PayloadMode.Sha256;
        if (value.Length == SigV4Algorithm.HexHashLength && HexEncoding.TryDecode(value, declared[..SigV4Algorithm.HashLength]))
        {
            return true;
        }

        if (value.SequenceEqual("UNSIGNED-PAYLOAD"u8))
        {
            mode = SigV4PayloadMode.UnsignedPayload;
        }
        else if (value.SequenceEqual("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"u8))
        {
            mode = SigV4PayloadMode.StreamingSigned;
        }
        else if (value.SequenceEqual("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"u8))
        {
            mode = SigV4PayloadMode.StreamingSignedTrailer;
        }
        else if (value.SequenceEqual("STREAMING-UNSIGNED-PAYLOAD-TRAILER"u8))
        {
            mode = SigV4PayloadMode.StreamingUnsignedTrailer;
        }
        else
        {
            return false;
        }

        return true;
    }
}
