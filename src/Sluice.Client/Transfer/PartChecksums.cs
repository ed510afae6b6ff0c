using System.Buffers.Binary;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// The CRC of each part of one object (CRC32C or CRC64NVME), filled in as parts complete in any order, and the
/// full-object value combined from them with Crc32C/Crc64Nvme Combine — no second pass over the data.
/// </summary>
public sealed class PartChecksums
{
    private readonly ulong[] _values;
    private readonly bool[] _set;

    public PartChecksums(ChecksumAlgorithm algorithm, PartPlan plan)
    {
        if (!algorithm.IsCombinable())
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "a combinable CRC is required");
        Algorithm = algorithm;
        Plan = plan;
        _values = new ulong[plan.PartCount];
        _set = new bool[plan.PartCount];
    }

    public ChecksumAlgorithm Algorithm { get; }
    public PartPlan Plan { get; }

    /// <summary>The CRC of <paramref name="data"/> as a number (CRC-32 values in the low 32 bits).</summary>
    public static ulong Compute(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        ChecksumAlgorithm.Crc32C => Crc32C.HashToUInt32(data),
        ChecksumAlgorithm.Crc64Nvme => Crc64Nvme.HashToUInt64(data),
        ChecksumAlgorithm.Crc32 => Crc32.HashToUInt32(data),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a CRC"),
    };

    /// <summary>Continues a CRC over more data (for parts that arrive in pieces).</summary>
    public static ulong Append(ChecksumAlgorithm algorithm, ulong crc, ReadOnlySpan<byte> data)
    {
        ulong next = Compute(algorithm, data);
        return S3Checksum.TryCombine(algorithm, crc, next, data.Length, out ulong combined)
            ? combined : throw new ArgumentOutOfRangeException(nameof(algorithm));
    }

    /// <summary>The base64 header value S3 uses for a CRC (big-endian bytes).</summary>
    public static string ToBase64(ChecksumAlgorithm algorithm, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (algorithm == ChecksumAlgorithm.Crc64Nvme)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
            return Convert.ToBase64String(bytes);
        }
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        return Convert.ToBase64String(bytes[..4]);
    }

    /// <summary>Parses a base64 CRC header value; false when it is not a well-formed value of the algorithm.</summary>
    public static bool TryParseBase64(ChecksumAlgorithm algorithm, string? base64, out ulong value)
    {
        value = 0;
        if (base64 is null) return false;
        Span<byte> bytes = stackalloc byte[9];
        if (!Convert.TryFromBase64String(base64.Trim(), bytes, out int n)) return false;
        if (algorithm == ChecksumAlgorithm.Crc64Nvme && n == 8) { value = BinaryPrimitives.ReadUInt64BigEndian(bytes); return true; }
        if (algorithm is ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Crc32 && n == 4) { value = BinaryPrimitives.ReadUInt32BigEndian(bytes); return true; }
        return false;
    }

    public void Set(int index, ulong value)
    {
        _values[index] = value;
        Volatile.Write(ref _set[index], true);
    }

    public bool IsSet(int index) => Volatile.Read(ref _set[index]);

    public ulong Get(int index) =>
        IsSet(index) ? _values[index] : throw new InvalidOperationException($"part {index + 1} has no checksum yet");

    /// <summary>The full-object CRC: every part's CRC combined in order. All parts must be set.</summary>
    public ulong Combine()
    {
        ulong crc = Get(0);
        for (int i = 1; i < _values.Length; i++)
            S3Checksum.TryCombine(Algorithm, crc, Get(i), Plan.LengthOf(i), out crc);
        return crc;
    }

    /// <summary>S3's COMPOSITE checksum: the CRC of the parts' big-endian CRC bytes, then "-N".</summary>
    public string Composite()
    {
        int width = Algorithm == ChecksumAlgorithm.Crc64Nvme ? 8 : 4;
        var bytes = new byte[width * _values.Length];
        for (int i = 0; i < _values.Length; i++)
        {
            if (width == 8) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * 8), Get(i));
            else BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), (uint)Get(i));
        }
        return ToBase64(Algorithm, Compute(Algorithm, bytes)) + "-" + _values.Length;
    }
}
