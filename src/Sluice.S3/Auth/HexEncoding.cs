namespace Sluice.S3.Auth;

/// <summary>Lowercase hex on bytes: SigV4 signatures and hashes travel as ASCII hex, never as strings on the hot path.</summary>
internal static class HexEncoding
{
    private static ReadOnlySpan<byte> LowerDigits => "0123456789abcdef"u8;

    public static void EncodeLower(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ReadOnlySpan<byte> digits = LowerDigits;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            destination[2 * i] = digits[b >> 4];
            destination[(2 * i) + 1] = digits[b & 0xF];
        }
    }

    /// <summary>Decodes exactly <c>destination.Length * 2</c> hex digits (either case).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        if (hex.Length != destination.Length * 2)
        {
            return false;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            int hi = Value(hex[2 * i]);
            int lo = Value(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }

    /// <summary>
    /// Decodes exactly <c>destination.Length * 2</c> lowercase hex digits. Signatures are lowercase hex by
    /// definition: accepting another spelling would make two different strings the same signature.
    /// </summary>
    public static bool TryDecodeLower(ReadOnlySpan<byte> hex, Span<byte> destination) =>
        !hex.ContainsAnyInRange((byte)'A', (byte)'F') && TryDecode(hex, destination);

    public static int Value(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
