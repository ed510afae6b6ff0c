using System.Text;

namespace Sluice.S3.Checksums;

/// <summary>
/// Wire names of <see cref="ChecksumAlgorithm"/>: the algorithm value ("CRC32"), the header carrying the digest
/// ("x-amz-checksum-crc32"), digest and base64 lengths, and allocation-free parsing of both.
/// </summary>
public static class ChecksumAlgorithmExtensions
{
    /// <summary>Longest base64 digest (SHA-512: 88 characters), for stack buffers.</summary>
    public const int MaxBase64Length = 88;

    /// <summary>Longest raw digest (SHA-512: 64 bytes), for stack buffers.</summary>
    public const int MaxHashLength = 64;

    /// <summary>The last defined algorithm, for loops over all of them.</summary>
    public const ChecksumAlgorithm Last = ChecksumAlgorithm.XxHash128;

    private const string HeaderPrefix = "x-amz-checksum-";

    /// <summary>The value S3 uses in x-amz-checksum-algorithm ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "MD5",
    /// "SHA512", "XXHASH64", "XXHASH3", "XXHASH128").</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined algorithm, or <see cref="ChecksumAlgorithm.None"/>.</exception>
    public static string GetS3Name(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "CRC32",
        ChecksumAlgorithm.Crc32C => "CRC32C",
        ChecksumAlgorithm.Crc64Nvme => "CRC64NVME",
        ChecksumAlgorithm.Sha1 => "SHA1",
        ChecksumAlgorithm.Sha256 => "SHA256",
        ChecksumAlgorithm.Md5 => "MD5",
        ChecksumAlgorithm.Sha512 => "SHA512",
        ChecksumAlgorithm.XxHash64 => "XXHASH64",
        ChecksumAlgorithm.XxHash3 => "XXHASH3",
        ChecksumAlgorithm.XxHash128 => "XXHASH128",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The header carrying the base64 digest, lower case (e.g. "x-amz-checksum-crc32c").</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined algorithm, or <see cref="ChecksumAlgorithm.None"/>.</exception>
    public static string GetHeaderName(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "x-amz-checksum-crc32",
        ChecksumAlgorithm.Crc32C => "x-amz-checksum-crc32c",
        ChecksumAlgorithm.Crc64Nvme => "x-amz-checksum-crc64nvme",
        ChecksumAlgorithm.Sha1 => "x-amz-checksum-sha1",
        ChecksumAlgorithm.Sha256 => "x-amz-checksum-sha256",
        ChecksumAlgorithm.Md5 => "x-amz-checksum-md5",
        ChecksumAlgorithm.Sha512 => "x-amz-checksum-sha512",
        ChecksumAlgorithm.XxHash64 => "x-amz-checksum-xxhash64",
        ChecksumAlgorithm.XxHash3 => "x-amz-checksum-xxhash3",
        ChecksumAlgorithm.XxHash128 => "x-amz-checksum-xxhash128",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The header name as UTF-8 bytes (static data, no allocation).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined algorithm, or <see cref="ChecksumAlgorithm.None"/>.</exception>
    public static ReadOnlySpan<byte> GetHeaderNameUtf8(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "x-amz-checksum-crc32"u8,
        ChecksumAlgorithm.Crc32C => "x-amz-checksum-crc32c"u8,
        ChecksumAlgorithm.Crc64Nvme => "x-amz-checksum-crc64nvme"u8,
        ChecksumAlgorithm.Sha1 => "x-amz-checksum-sha1"u8,
        ChecksumAlgorithm.Sha256 => "x-amz-checksum-sha256"u8,
        ChecksumAlgorithm.Md5 => "x-amz-checksum-md5"u8,
        ChecksumAlgorithm.Sha512 => "x-amz-checksum-sha512"u8,
        ChecksumAlgorithm.XxHash64 => "x-amz-checksum-xxhash64"u8,
        ChecksumAlgorithm.XxHash3 => "x-amz-checksum-xxhash3"u8,
        ChecksumAlgorithm.XxHash128 => "x-amz-checksum-xxhash128"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Digest size in bytes; 0 for <see cref="ChecksumAlgorithm.None"/> or an undefined value.</summary>
    public static int GetHashLength(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C => 4,
        ChecksumAlgorithm.Crc64Nvme or ChecksumAlgorithm.XxHash64 or ChecksumAlgorithm.XxHash3 => 8,
        ChecksumAlgorithm.Md5 or ChecksumAlgorithm.XxHash128 => 16,
        ChecksumAlgorithm.Sha1 => 20,
        ChecksumAlgorithm.Sha256 => 32,
        ChecksumAlgorithm.Sha512 => 64,
        _ => 0,
    };

    /// <summary>Length of the padded base64 header value (4 * ceil(n / 3)); 0 when there is no digest.</summary>
    public static int GetBase64Length(this ChecksumAlgorithm algorithm) => (algorithm.GetHashLength() + 2) / 3 * 4;

    /// <summary>Whether part checksums of this algorithm can be combined into a whole-object one (the CRCs).</summary>
    public static bool IsCombinable(this ChecksumAlgorithm algorithm) =>
        algorithm is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Crc64Nvme;

    /// <summary>Parses an x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm value (ASCII case-insensitive).</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Value, out ChecksumAlgorithm algorithm)
    {
        algorithm = ChecksumAlgorithm.None;
        for (ChecksumAlgorithm candidate = ChecksumAlgorithm.Crc32; candidate <= Last; candidate++)
        {
            if (Ascii.EqualsIgnoreCase(utf8Value, candidate.GetS3Name()))
            {
                algorithm = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses an x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm value (ASCII case-insensitive).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out ChecksumAlgorithm algorithm)
    {
        algorithm = ChecksumAlgorithm.None;
        for (ChecksumAlgorithm candidate = ChecksumAlgorithm.Crc32; candidate <= Last; candidate++)
        {
            if (Ascii.EqualsIgnoreCase(value, candidate.GetS3Name()))
            {
                algorithm = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>Recognises a checksum header name such as "x-amz-checksum-crc32" (ASCII case-insensitive).</summary>
    /// <remarks>"x-amz-checksum-algorithm" and "x-amz-checksum-type" are not digest headers and return false.</remarks>
    public static bool TryParseHeaderName(ReadOnlySpan<byte> utf8Name, out ChecksumAlgorithm algorithm)
    {
        algorithm = ChecksumAlgorithm.None;
        return utf8Name.Length > HeaderPrefix.Length
            && Ascii.EqualsIgnoreCase(utf8Name[..HeaderPrefix.Length], HeaderPrefix)
            && TryParse(utf8Name[HeaderPrefix.Length..], out algorithm);
    }

    /// <summary>Recognises a checksum header name such as "x-amz-checksum-crc32" (ASCII case-insensitive).</summary>
    /// <remarks>"x-amz-checksum-algorithm" and "x-amz-checksum-type" are not digest headers and return false.</remarks>
    public static bool TryParseHeaderName(ReadOnlySpan<char> name, out ChecksumAlgorithm algorithm)
    {
        algorithm = ChecksumAlgorithm.None;
        return name.Length > HeaderPrefix.Length
            && Ascii.EqualsIgnoreCase(name[..HeaderPrefix.Length], HeaderPrefix)
            && TryParse(name[HeaderPrefix.Length..], out algorithm);
    }
}
