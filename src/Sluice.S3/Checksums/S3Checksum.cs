using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Sluice.S3.Checksums;

/// <summary>
/// An incremental S3 additional checksum whose algorithm is chosen at run time (from x-amz-checksum-algorithm,
/// say). Produces the big-endian digest or its base64 header value into caller buffers, and checks an
/// expected header value in constant time. Reusable: <see cref="Reset"/> or <see cref="GetHashAndReset"/>.
/// </summary>
public sealed class S3Checksum : IDisposable
{
    // CRCs: the engine and the finished CRC so far. Digests: the wrapped IncrementalHash. XXHASHes: System.IO.Hashing's.
    private readonly CrcEngine? _crc;
    private readonly IncrementalDigest? _digest;
    private readonly NonCryptographicHashAlgorithm? _xx;
    private ulong _crcValue;

    /// <summary>Creates an empty checksum.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is None or undefined.</exception>
    public S3Checksum(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32: _crc = CrcEngine.Crc32; break;
            case ChecksumAlgorithm.Crc32C: _crc = CrcEngine.Crc32C; break;
            case ChecksumAlgorithm.Crc64Nvme: _crc = CrcEngine.Crc64Nvme; break;
            case ChecksumAlgorithm.Sha1: _digest = new Sha1Digest(); break;
            case ChecksumAlgorithm.Sha256: _digest = new Sha256Digest(); break;
            case ChecksumAlgorithm.Md5: _digest = new Md5Digest(); break;
            case ChecksumAlgorithm.Sha512: _digest = new Sha512Digest(); break;
            case ChecksumAlgorithm.XxHash64: _xx = new XxHash64(); break;
            case ChecksumAlgorithm.XxHash3: _xx = new XxHash3(); break;
            case ChecksumAlgorithm.XxHash128: _xx = new XxHash128(); break;
            default: throw new ArgumentOutOfRangeException(nameof(algorithm));
        }

        HashLengthInBytes = algorithm.GetHashLength();
    }

    /// <summary>The algorithm this instance computes.</summary>
    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>Digest size in bytes.</summary>
    public int HashLengthInBytes { get; }

    /// <summary>Length of the base64 header value.</summary>
    public int Base64Length => Algorithm.GetBase64Length();

    /// <summary>Adds <paramref name="source"/> to the running checksum.</summary>
    public void Append(ReadOnlySpan<byte> source)
    {
        if (_crc is not null)
        {
            _crcValue = _crc.Append(_crcValue, source);
        }
        else if (_xx is not null)
        {
            _xx.Append(source);
        }
        else
        {
            _digest!.Append(source);
        }
    }

    /// <summary>Writes the digest of the data so far (big-endian for CRCs and XXHASHes); returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashLengthInBytes"/>.</exception>
    public int GetCurrentHash(Span<byte> destination)
    {
        if (_digest is not null)
        {
            return _digest.GetCurrentHash(destination);
        }

        if (_xx is not null)
        {
            // System.IO.Hashing writes xxHash's canonical (big-endian) form.
            return _xx.GetCurrentHash(destination);
        }

        if (destination.Length < HashLengthInBytes)
        {
            throw new ArgumentException("Destination is too short for the digest.", nameof(destination));
        }

        if (HashLengthInBytes == sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, _crcValue);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_crcValue);
        }

        return HashLengthInBytes;
    }

    /// <summary>Writes the digest and starts over; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashLengthInBytes"/>.</exception>
    public int GetHashAndReset(Span<byte> destination)
    {
        if (_digest is not null)
        {
            return _digest.GetHashAndReset(destination);
        }

        if (_xx is not null)
        {
            return _xx.GetHashAndReset(destination);
        }

        int written = GetCurrentHash(destination);
        _crcValue = 0;
        return written;
    }

    /// <summary>Discards the data appended so far.</summary>
    public void Reset()
    {
        _crcValue = 0;
        _digest?.Reset();
        _xx?.Reset();
    }

    /// <summary>Writes the base64 header value of the data so far as UTF-8; false if it does not fit.</summary>
    public bool TryFormatBase64Utf8(Span<byte> destination, out int bytesWritten)
    {
        Span<byte> hash = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int length = GetCurrentHash(hash);
        return Base64.EncodeToUtf8(hash[..length], destination, out _, out bytesWritten) == System.Buffers.OperationStatus.Done;
    }

    /// <summary>Writes the base64 header value of the data so far as chars; false if it does not fit.</summary>
    public bool TryFormatBase64(Span<char> destination, out int charsWritten)
    {
        Span<byte> hash = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int length = GetCurrentHash(hash);
        return Convert.TryToBase64Chars(hash[..length], destination, out charsWritten);
    }

    /// <summary>
    /// Whether the data so far matches an expected base64 header value (UTF-8), compared in constant time.
    /// Only the canonical padded encoding S3 itself produces matches; anything else is a mismatch.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> expectedBase64Utf8)
    {
        Span<byte> actual = stackalloc byte[ChecksumAlgorithmExtensions.MaxBase64Length];
        _ = TryFormatBase64Utf8(actual, out int length);
        return CryptographicOperations.FixedTimeEquals(actual[..length], expectedBase64Utf8);
    }

    /// <summary>As <see cref="Matches(ReadOnlySpan{byte})"/>, for a value held as chars.</summary>
    public bool Matches(ReadOnlySpan<char> expectedBase64)
    {
        Span<char> actual = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
        _ = TryFormatBase64(actual, out int length);
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(actual[..length]), MemoryMarshal.AsBytes(expectedBase64));
    }

    /// <summary>The digest of <paramref name="source"/> in one call (big-endian for CRCs and XXHASHes); returns the bytes written.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is None or undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int HashData(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                BinaryPrimitives.WriteUInt32BigEndian(destination, Crc32.HashToUInt32(source));
                return Crc32.HashLengthInBytes;
            case ChecksumAlgorithm.Crc32C:
                BinaryPrimitives.WriteUInt32BigEndian(destination, Crc32C.HashToUInt32(source));
                return Crc32C.HashLengthInBytes;
            case ChecksumAlgorithm.Crc64Nvme:
                BinaryPrimitives.WriteUInt64BigEndian(destination, Crc64Nvme.HashToUInt64(source));
                return Crc64Nvme.HashLengthInBytes;
            case ChecksumAlgorithm.Sha1:
                return Sha1Digest.HashData(source, destination);
            case ChecksumAlgorithm.Sha256:
                return Sha256Digest.HashData(source, destination);
            case ChecksumAlgorithm.Md5:
                return Md5Digest.HashData(source, destination);
            case ChecksumAlgorithm.Sha512:
                return Sha512Digest.HashData(source, destination);
            case ChecksumAlgorithm.XxHash64:
                return XxHash64.Hash(source, destination);
            case ChecksumAlgorithm.XxHash3:
                return XxHash3.Hash(source, destination);
            case ChecksumAlgorithm.XxHash128:
                return XxHash128.Hash(source, destination);
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm));
        }
    }

    /// <summary>
    /// Combines CRC values (as numbers; CRC-32s in the low 32 bits) of consecutive parts A and B into the CRC
    /// of A||B. False for algorithms that cannot be combined (the digests and XXHASHes) or a negative length.
    /// </summary>
    public static bool TryCombine(ChecksumAlgorithm algorithm, ulong crcA, ulong crcB, long lengthB, out ulong combined)
    {
        CrcEngine? engine = algorithm switch
        {
            ChecksumAlgorithm.Crc32 => CrcEngine.Crc32,
            ChecksumAlgorithm.Crc32C => CrcEngine.Crc32C,
            ChecksumAlgorithm.Crc64Nvme => CrcEngine.Crc64Nvme,
            _ => null,
        };
        if (engine is null || lengthB < 0 || ((crcA | crcB) & ~engine.Mask) != 0)
        {
            combined = 0;
            return false;
        }

        combined = engine.Combine(crcA, crcB, lengthB);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _digest?.Dispose();
}
