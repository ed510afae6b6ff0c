using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.S3.Placement;

/// <summary>
/// The same-host shared-memory provider's token: which registered region (16 random bytes the server chose), the
/// window's offset and length in it, and the region's 32-byte secret, which only the process that registered the
/// region learned (over its Unix socket). Printed as
/// <c>sluice-shm1.&lt;region:32 hex&gt;.&lt;offset:16 hex&gt;.&lt;length:16 hex&gt;.&lt;secret:64 hex&gt;</c> — 158 printable
/// bytes, in the 100–200 bytes the protocol's tokens take. The prefix is not hex, so it never reads as a cuObject
/// descriptor (<see cref="CuObjectToken"/>).
/// </summary>
public readonly struct ShmToken : IEquatable<ShmToken>
{
    public const int RegionIdBytes = 16;
    public const int SecretBytes = 32;

    /// <summary>The format's prefix and version.</summary>
    public static ReadOnlySpan<byte> Prefix => "sluice-shm1."u8;

    /// <summary>Formatted length: prefix, 32 + 16 + 16 + 64 hex digits and 3 dots.</summary>
    public const int FormattedLength = 12 + 32 + 1 + 16 + 1 + 16 + 1 + 64;

    private readonly Guid _region;
    private readonly ulong _secret0, _secret1, _secret2, _secret3;

    public ShmToken(Guid region, long offset, long length, ReadOnlySpan<byte> secret)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (secret.Length != SecretBytes) throw new ArgumentException($"a region secret is {SecretBytes} bytes", nameof(secret));
        _region = region;
        Offset = offset;
        Length = length;
        _secret0 = BinaryPrimitives.ReadUInt64BigEndian(secret);
        _secret1 = BinaryPrimitives.ReadUInt64BigEndian(secret[8..]);
        _secret2 = BinaryPrimitives.ReadUInt64BigEndian(secret[16..]);
        _secret3 = BinaryPrimitives.ReadUInt64BigEndian(secret[24..]);
    }

    public Guid Region => _region;

    public long Offset { get; }

    public long Length { get; }

    /// <summary>Writes the secret's 32 bytes.</summary>
    public void GetSecret(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _secret0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _secret1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _secret2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _secret3);
    }

    /// <summary>True when <paramref name="secret"/> is this token's, compared in constant time (a forger learns nothing from timing).</summary>
    public bool SecretEquals(ReadOnlySpan<byte> secret)
    {
        Span<byte> mine = stackalloc byte[SecretBytes];
        GetSecret(mine);
        return secret.Length == SecretBytes && CryptographicOperations.FixedTimeEquals(mine, secret);
    }

    /// <summary>True when <paramref name="text"/> starts like this format (the rest may still be malformed).</summary>
    public static bool HasPrefix(ReadOnlySpan<byte> text) => text.StartsWith(Prefix);

    /// <summary>Parses the printed form; false for anything not exactly this format.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out ShmToken token)
    {
        token = default;
        if (text.Length != FormattedLength || !text.StartsWith(Prefix)) return false;
        var rest = text[Prefix.Length..];
        Span<byte> region = stackalloc byte[RegionIdBytes];
        Span<byte> secret = stackalloc byte[SecretBytes];
        if (!TryHex(rest[..32], region) || rest[32] != (byte)'.') return false;
        rest = rest[33..];
        if (!TryHex64(rest[..16], out ulong offset) || rest[16] != (byte)'.') return false;
        rest = rest[17..];
        if (!TryHex64(rest[..16], out ulong length) || rest[16] != (byte)'.') return false;
        rest = rest[17..];
        if (!TryHex(rest, secret)) return false;
        if (offset > long.MaxValue || length > long.MaxValue || offset + length > long.MaxValue) return false;
        token = new ShmToken(new Guid(region, bigEndian: true), (long)offset, (long)length, secret);
        return true;
    }

    /// <summary>The printed form (ASCII; lowercase hex).</summary>
    public override string ToString()
    {
        Span<byte> region = stackalloc byte[RegionIdBytes];
        _region.TryWriteBytes(region, bigEndian: true, out _);
        Span<byte> secret = stackalloc byte[SecretBytes];
        GetSecret(secret);
        var text = new StringBuilder(FormattedLength);
        text.Append(Encoding.ASCII.GetString(Prefix));
        text.Append(Convert.ToHexStringLower(region)).Append('.');
        text.Append(((ulong)Offset).ToString("x16", CultureInfo.InvariantCulture)).Append('.');
        text.Append(((ulong)Length).ToString("x16", CultureInfo.InvariantCulture)).Append('.');
        text.Append(Convert.ToHexStringLower(secret));
        return text.ToString();
    }

    public bool Equals(ShmToken other) => _region == other._region && Offset == other.Offset && Length == other.Length
        && _secret0 == other._secret0 && _secret1 == other._secret1 && _secret2 == other._secret2 && _secret3 == other._secret3;

    public override bool Equals(object? obj) => obj is ShmToken other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_region, Offset, Length);

    public static bool operator ==(ShmToken left, ShmToken right) => left.Equals(right);

    public static bool operator !=(ShmToken left, ShmToken right) => !left.Equals(right);

    private static bool TryHex(ReadOnlySpan<byte> hex, Span<byte> bytes)
    {
        if (hex.Length != bytes.Length * 2) return false;
        for (int i = 0; i < bytes.Length; i++)
        {
            int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
            if ((hi | lo) < 0) return false;
            bytes[i] = (byte)(hi << 4 | lo);
        }
        return true;
    }

    internal static bool TryHex64(ReadOnlySpan<byte> hex, out ulong value)
    {
        value = 0;
        if (hex.Length is 0 or > 16) return false;
        foreach (byte b in hex)
        {
            int v = HexValue(b);
            if (v < 0) return false;
            value = value << 4 | (uint)v;
        }
        return true;
    }

    /// <summary>Lowercase hex only: one spelling per token.</summary>
    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };
}
