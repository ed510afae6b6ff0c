using System.Buffers.Binary;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// The checksum of each part of one object, filled in as parts complete in any order. For a CRC (CRC32, CRC32C,
/// CRC64NVME) the full-object value is combined from the parts' with Crc32C/Crc64Nvme Combine — no second pass over
/// the data. A SHA-1 or SHA-256 digest does not combine: S3 offers it for multipart uploads only as COMPOSITE (the
/// digest of the parts' binary digests, "-N"), which <see cref="Composite"/> computes; the digests live in one array
/// allocated with the object's plan, so a part costs no allocation.
/// </summary>
public sealed class PartChecksums
{
    private readonly ulong[]? _values;
    private readonly byte[]? _digests;
    private readonly int _width;
    private readonly bool[] _set;

    public PartChecksums(ChecksumAlgorithm algorithm, PartPlan plan)
    {
        if (algorithm == ChecksumAlgorithm.None || algorithm.GetHashLength() == 0)
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "a checksum algorithm is required");
        Algorithm = algorithm;
        Plan = plan;
        _width = algorithm.GetHashLength();
        if (algorithm.IsCombinable()) _values = new ulong[plan.PartCount];
        else _digests = new byte[_width * plan.PartCount];
        _set = new bool[plan.PartCount];
    }

    public ChecksumAlgorithm Algorithm { get; }
    public PartPlan Plan { get; }

    /// <summary>Whether the parts' values combine into a full-object checksum (a CRC), rather than only a composite.</summary>
    public bool IsCombinable => _values != null;

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

    /// <summary>The base64 header value of <paramref name="data"/>'s checksum in any algorithm (a CRC or a SHA digest).</summary>
    public static string Base64Of(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int n = S3Checksum.HashData(algorithm, data, hash);
        return Convert.ToBase64String(hash[..n]);
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

    /// <summary>Sets a part's CRC (a combinable algorithm only).</summary>
    public void Set(int index, ulong value)
    {
        if (_values is null) throw new InvalidOperationException($"{Algorithm.GetS3Name()} part checksums are digests, not CRC values");
        _values[index] = value;
        Volatile.Write(ref _set[index], true);
    }

    /// <summary>Computes and records the checksum of part <paramref name="index"/>'s bytes; returns it as base64 (the header value).</summary>
    public string Put(int index, ReadOnlySpan<byte> data)
    {
        if (_values != null)
        {
            ulong crc = Compute(Algorithm, data);
            Set(index, crc);
            return ToBase64(Algorithm, crc);
        }
        var slot = _digests.AsSpan(index * _width, _width);
        S3Checksum.HashData(Algorithm, data, slot);
        Volatile.Write(ref _set[index], true);
        return Convert.ToBase64String(slot);
    }

    /// <summary>Records part <paramref name="index"/>'s checksum from its base64 header value; false when it is not one of the algorithm.</summary>
    public bool TrySetBase64(int index, string base64)
    {
        if (_values != null)
        {
            if (!TryParseBase64(Algorithm, base64, out ulong crc)) return false;
            Set(index, crc);
            return true;
        }
        Span<byte> bytes = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength + 1];
        if (!Convert.TryFromBase64String(base64.Trim(), bytes, out int n) || n != _width) return false;
        bytes[..n].CopyTo(_digests.AsSpan(index * _width, _width));
        Volatile.Write(ref _set[index], true);
        return true;
    }

    public bool IsSet(int index) => Volatile.Read(ref _set[index]);

    /// <summary>A part's CRC (a combinable algorithm only).</summary>
    public ulong Get(int index)
    {
        if (_values is null) throw new InvalidOperationException($"{Algorithm.GetS3Name()} part checksums are digests, not CRC values");
        return IsSet(index) ? _values[index] : throw new InvalidOperationException($"part {index + 1} has no checksum yet");
    }

    /// <summary>The full-object CRC: every part's CRC combined in order. All parts must be set; a SHA digest cannot combine.</summary>
    public ulong Combine()
    {
        ulong crc = Get(0);
        for (int i = 1; i < _values!.Length; i++)
            S3Checksum.TryCombine(Algorithm, crc, Get(i), Plan.LengthOf(i), out crc);
        return crc;
    }

    /// <summary>The full-object checksum as base64 (a CRC), or null when the algorithm has only a composite.</summary>
    public string? FullObject() => IsCombinable ? ToBase64(Algorithm, Combine()) : null;

    /// <summary>S3's COMPOSITE checksum: the checksum of the parts' binary checksums (big-endian CRCs, or digests), then "-N".</summary>
    public string Composite()
    {
        int count = _set.Length;
        for (int i = 0; i < count; i++)
            if (!IsSet(i)) throw new InvalidOperationException($"part {i + 1} has no checksum yet");
        byte[] bytes;
        if (_values != null)
        {
            bytes = new byte[_width * count];
            for (int i = 0; i < count; i++)
            {
                if (_width == 8) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * 8), _values[i]);
                else BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), (uint)_values[i]);
            }
        }
        else bytes = _digests!;
        return Base64Of(Algorithm, bytes) + "-" + count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
