using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.S3.Naming;

/// <summary>
/// Key names that spread over S3's partitions, as AWS's performance guidance describes: S3 partitions its key map
/// by key prefix, so keys that grow in order (ids, timestamps) all land on the newest partition. The remedies are a
/// short hash prefix in front of the key (<c>9001/abc</c>), or the id's or timestamp's digits reversed so the fastest
/// changing digit comes first (12345 → <c>5432100000</c>). Each mapping has its inverse. Span forms write into the
/// caller's buffer and do not allocate; string forms are for convenience.
/// </summary>
/// <remarks>
/// The hash is MD5 of the key's UTF-8 bytes, the first characters of its lowercase hex or base64url spelling. MD5
/// because it is the scheme of AWS's guidance and every language and shell has it (<c>printf %s KEY | md5sum</c>
/// gives the hex prefix), so other tools can compute or check the same names; it is not used for security, and for
/// a key of at most 1 KiB it costs well under a microsecond, nothing beside a request. The prefix is followed by
/// <see cref="Separator"/>, so a delimiter listing shows the hash prefixes as common prefixes.
/// </remarks>
public static class KeyNaming
{
    /// <summary>Between a hash prefix and the key.</summary>
    public const char Separator = '/';

    /// <summary>The longest hex prefix: all of MD5's 16 bytes.</summary>
    public const int MaxHexLength = 32;

    /// <summary>The longest base64url prefix: all of MD5's 16 bytes, unpadded.</summary>
    public const int MaxBase64UrlLength = 22;

    /// <summary>Digits of a reversed timestamp: Unix seconds up to 9,999,999,999 (the year 2286).</summary>
    public const int TimestampWidth = 10;

    /// <summary>Digits of the largest <see cref="ulong"/>, the widest reversed id.</summary>
    public const int MaxIdWidth = 20;

    /// <summary>Most prefixes <see cref="AllHashPrefixes"/> lists (16⁴ hex, 64³ base64url).</summary>
    public const int MaxPrefixCount = 1 << 18;

    // Keys of up to 1024 characters (S3's limit is 1024 UTF-8 bytes) are encoded on the stack: at most 3 bytes each.
    private const int StackKeyBytes = 3 * 1025;

    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The longest prefix of <paramref name="encoding"/>.</summary>
    public static int MaxLength(HashPrefixEncoding encoding) => encoding switch
    {
        HashPrefixEncoding.Hex => MaxHexLength,
        HashPrefixEncoding.Base64Url => MaxBase64UrlLength,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    /// <summary>
    /// Writes the <paramref name="length"/>-character hash prefix of <paramref name="key"/> (without the separator).
    /// False when <paramref name="destination"/> is shorter than <paramref name="length"/>.
    /// </summary>
    public static bool TryWriteHashPrefix(ReadOnlySpan<char> key, int length, HashPrefixEncoding encoding, Span<char> destination,
        out int written)
    {
        CheckLength(length, encoding);
        written = 0;
        if (destination.Length < length)
        {
            return false;
        }

        Span<char> full = stackalloc char[MaxHexLength];
        Hash(key, encoding, full);
        full[..length].CopyTo(destination);
        written = length;
        return true;
    }

    /// <summary>The <paramref name="length"/>-character hash prefix of <paramref name="key"/> (without the separator).</summary>
    public static string HashPrefix(string key, int length = 4, HashPrefixEncoding encoding = HashPrefixEncoding.Hex)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckLength(length, encoding);
        Span<char> full = stackalloc char[MaxHexLength];
        Hash(key, encoding, full);
        return new string(full[..length]);
    }

    /// <summary>
    /// Writes <c>PREFIX/key</c>: the hash prefix, <see cref="Separator"/> and the key. False when
    /// <paramref name="destination"/> is too short (it needs <paramref name="length"/> + 1 + the key's length).
    /// </summary>
    public static bool TryAddHashPrefix(ReadOnlySpan<char> key, int length, HashPrefixEncoding encoding, Span<char> destination,
        out int written)
    {
        CheckLength(length, encoding);
        written = 0;
        if (destination.Length < length + 1 + key.Length)
        {
            return false;
        }

        TryWriteHashPrefix(key, length, encoding, destination, out _);
        destination[length] = Separator;
        key.CopyTo(destination[(length + 1)..]);
        written = length + 1 + key.Length;
        return true;
    }

    /// <summary><c>PREFIX/key</c>: e.g. <c>AddHashPrefix("abc")</c> is <c>9001/abc</c> (MD5 of "abc" is 900150…).</summary>
    public static string AddHashPrefix(string key, int length = 4, HashPrefixEncoding encoding = HashPrefixEncoding.Hex)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckLength(length, encoding);
        return string.Create(length + 1 + key.Length, (key, length, encoding), static (span, s) =>
            TryAddHashPrefix(s.key, s.length, s.encoding, span, out _));
    }

    /// <summary>
    /// The key inside <paramref name="prefixedKey"/> when it is <c>PREFIX/key</c> with PREFIX the key's own
    /// <paramref name="length"/>-character hash prefix; false for any other text (wrong hash, no separator, too short).
    /// </summary>
    public static bool TryStripHashPrefix(ReadOnlySpan<char> prefixedKey, int length, HashPrefixEncoding encoding,
        out ReadOnlySpan<char> key)
    {
        CheckLength(length, encoding);
        key = default;
        if (prefixedKey.Length <= length || prefixedKey[length] != Separator)
        {
            return false;
        }

        ReadOnlySpan<char> candidate = prefixedKey[(length + 1)..];
        Span<char> full = stackalloc char[MaxHexLength];
        Hash(candidate, encoding, full);
        if (!full[..length].SequenceEqual(prefixedKey[..length]))
        {
            return false;
        }

        key = candidate;
        return true;
    }

    /// <summary>String form of <see cref="TryStripHashPrefix(ReadOnlySpan{char}, int, HashPrefixEncoding, out ReadOnlySpan{char})"/>.</summary>
    public static bool TryStripHashPrefix(string prefixedKey, int length, HashPrefixEncoding encoding, [NotNullWhen(true)] out string? key)
    {
        ArgumentNullException.ThrowIfNull(prefixedKey);
        if (TryStripHashPrefix(prefixedKey.AsSpan(), length, encoding, out ReadOnlySpan<char> inner))
        {
            key = prefixedKey[(length + 1)..];
            return inner.Length == key.Length;
        }

        key = null;
        return false;
    }

    /// <summary>
    /// Every <paramref name="length"/>-character hash prefix, in S3's key order: the prefixes a parallel listing of
    /// hash-prefixed keys fans out over (16 for one hex character, 256 for two, 64 for one base64url character).
    /// </summary>
    public static IReadOnlyList<string> AllHashPrefixes(int length, HashPrefixEncoding encoding = HashPrefixEncoding.Hex)
    {
        CheckLength(length, encoding);
        string alphabet = encoding == HashPrefixEncoding.Hex ? "0123456789abcdef" : Base64UrlAlphabet;
        double count = Math.Pow(alphabet.Length, length);
        if (count > MaxPrefixCount)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"more than {MaxPrefixCount} prefixes");
        }

        var result = new string[(int)count];
        Span<char> buffer = stackalloc char[length];
        for (int i = 0; i < result.Length; i++)
        {
            int n = i;
            for (int p = length - 1; p >= 0; p--)
            {
                buffer[p] = alphabet[n % alphabet.Length];
                n /= alphabet.Length;
            }

            result[i] = new string(buffer);
        }

        // ASCII alphabets: ordinal order is S3's (UTF-8 byte) order.
        Array.Sort(result, StringComparer.Ordinal);
        return result;
    }

    /// <summary>
    /// Writes <paramref name="id"/> as <paramref name="width"/> digits (zero-padded) in reverse order, so the fastest
    /// changing digit leads: 12345 at width 10 is <c>5432100000</c>. Fixed width keeps the mapping one-to-one. False
    /// when <paramref name="destination"/> is shorter than <paramref name="width"/>.
    /// </summary>
    public static bool TryFormatReversedId(ulong id, int width, Span<char> destination, out int written)
    {
        CheckWidth(id, width);
        written = 0;
        if (destination.Length < width)
        {
            return false;
        }

        for (int i = 0; i < width; i++)
        {
            destination[i] = (char)('0' + (int)(id % 10));
            id /= 10;
        }

        written = width;
        return true;
    }

    /// <summary>String form of <see cref="TryFormatReversedId"/>.</summary>
    public static string ReverseId(ulong id, int width = MaxIdWidth)
    {
        CheckWidth(id, width);
        return string.Create(width, (id, width), static (span, s) => TryFormatReversedId(s.id, s.width, span, out _));
    }

    /// <summary>The id a reversed id spells: 1 to 20 ASCII digits whose value fits a <see cref="ulong"/>.</summary>
    public static bool TryParseReversedId(ReadOnlySpan<char> reversed, out ulong id)
    {
        id = 0;
        if (reversed.Length is 0 or > MaxIdWidth)
        {
            return false;
        }

        ulong value = 0;
        for (int i = reversed.Length - 1; i >= 0; i--)
        {
            uint digit = (uint)(reversed[i] - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        id = value;
        return true;
    }

    /// <summary>
    /// Writes the time's Unix seconds as a reversed id of <see cref="TimestampWidth"/> digits (sub-second parts are
    /// dropped): 2026-12-08T00:00:00Z (1796688000) is <c>0008866971</c>. Times before 1970 or after 2286 throw.
    /// </summary>
    public static bool TryFormatReversedTimestamp(DateTimeOffset time, Span<char> destination, out int written) =>
        TryFormatReversedId(UnixSeconds(time), TimestampWidth, destination, out written);

    /// <summary>String form of <see cref="TryFormatReversedTimestamp"/>.</summary>
    public static string ReverseTimestamp(DateTimeOffset time) => ReverseId(UnixSeconds(time), TimestampWidth);

    /// <summary>The UTC time (whole seconds) a reversed timestamp spells: exactly <see cref="TimestampWidth"/> digits.</summary>
    public static bool TryParseReversedTimestamp(ReadOnlySpan<char> reversed, out DateTimeOffset time)
    {
        time = default;
        if (reversed.Length != TimestampWidth || !TryParseReversedId(reversed, out ulong seconds))
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeSeconds((long)seconds);
        return true;
    }

    private static ulong UnixSeconds(DateTimeOffset time)
    {
        long seconds = time.ToUnixTimeSeconds();
        if (seconds is < 0 or > 9_999_999_999)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, "a reversed timestamp spans 1970 to 2286");
        }

        return (ulong)seconds;
    }

    private static void CheckLength(int length, HashPrefixEncoding encoding)
    {
        int max = MaxLength(encoding);
        if (length < 1 || length > max)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                string.Create(CultureInfo.InvariantCulture, $"a {encoding} hash prefix is 1 to {max} characters"));
        }
    }

    private static void CheckWidth(ulong id, int width)
    {
        if (width is < 1 or > MaxIdWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "a reversed id is 1 to 20 digits wide");
        }

        if (width < MaxIdWidth && id >= Pow10(width))
        {
            throw new ArgumentOutOfRangeException(nameof(id), id,
                string.Create(CultureInfo.InvariantCulture, $"{id} has more than {width} digits"));
        }
    }

    private static ulong Pow10(int n)
    {
        ulong p = 1;
        for (int i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    // MD5 of the key's UTF-8 bytes, spelled into destination (32 hex or 22 base64url characters).
    [SuppressMessage("Security", "CA5351", Justification = "Spreads keys over partitions, as AWS's guidance does; not for security.")]
    private static void Hash(ReadOnlySpan<char> key, HashPrefixEncoding encoding, Span<char> destination)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = max > StackKeyBytes ? ArrayPool<byte>.Shared.Rent(max) : null;
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[StackKeyBytes];
            int n = Encoding.UTF8.GetBytes(key, bytes);
            Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
            MD5.HashData(bytes[..n], digest);
            if (encoding == HashPrefixEncoding.Hex)
            {
                Convert.TryToHexStringLower(digest, destination, out _);
            }
            else
            {
                Base64Url.TryEncodeToChars(digest, destination, out _);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
