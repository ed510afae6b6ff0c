using Sluice.S3.Checksums;

namespace Sluice.S3.Xml;

/// <summary>
/// The additional checksums S3 reports on objects and parts (base64 values, as sent in the
/// <c>x-amz-checksum-*</c> headers), plus the checksum type of a whole object.
/// </summary>
public sealed class ObjectChecksums
{
    public string? ChecksumCrc32 { get; set; }

    public string? ChecksumCrc32C { get; set; }

    public string? ChecksumCrc64Nvme { get; set; }

    public string? ChecksumSha1 { get; set; }

    public string? ChecksumSha256 { get; set; }

    public string? ChecksumMd5 { get; set; }

    public string? ChecksumSha512 { get; set; }

    public string? ChecksumXxHash64 { get; set; }

    public string? ChecksumXxHash3 { get; set; }

    public string? ChecksumXxHash128 { get; set; }

    /// <summary><c>COMPOSITE</c> or <c>FULL_OBJECT</c>; only objects carry it, not parts.</summary>
    public string? ChecksumType { get; set; }

    /// <summary>True when no checksum is set.</summary>
    public bool IsEmpty =>
        ChecksumCrc32 is null && ChecksumCrc32C is null && ChecksumCrc64Nvme is null &&
        ChecksumSha1 is null && ChecksumSha256 is null && ChecksumMd5 is null && ChecksumSha512 is null &&
        ChecksumXxHash64 is null && ChecksumXxHash3 is null && ChecksumXxHash128 is null && ChecksumType is null;

    /// <summary>The value for <paramref name="algorithm"/> (null when absent, or for None).</summary>
    public string? Get(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => ChecksumCrc32,
        ChecksumAlgorithm.Crc32C => ChecksumCrc32C,
        ChecksumAlgorithm.Crc64Nvme => ChecksumCrc64Nvme,
        ChecksumAlgorithm.Sha1 => ChecksumSha1,
        ChecksumAlgorithm.Sha256 => ChecksumSha256,
        ChecksumAlgorithm.Md5 => ChecksumMd5,
        ChecksumAlgorithm.Sha512 => ChecksumSha512,
        ChecksumAlgorithm.XxHash64 => ChecksumXxHash64,
        ChecksumAlgorithm.XxHash3 => ChecksumXxHash3,
        ChecksumAlgorithm.XxHash128 => ChecksumXxHash128,
        _ => null,
    };

    /// <summary>Sets the value for <paramref name="algorithm"/> (None: nothing).</summary>
    public void Set(ChecksumAlgorithm algorithm, string? value)
    {
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32: ChecksumCrc32 = value; break;
            case ChecksumAlgorithm.Crc32C: ChecksumCrc32C = value; break;
            case ChecksumAlgorithm.Crc64Nvme: ChecksumCrc64Nvme = value; break;
            case ChecksumAlgorithm.Sha1: ChecksumSha1 = value; break;
            case ChecksumAlgorithm.Sha256: ChecksumSha256 = value; break;
            case ChecksumAlgorithm.Md5: ChecksumMd5 = value; break;
            case ChecksumAlgorithm.Sha512: ChecksumSha512 = value; break;
            case ChecksumAlgorithm.XxHash64: ChecksumXxHash64 = value; break;
            case ChecksumAlgorithm.XxHash3: ChecksumXxHash3 = value; break;
            case ChecksumAlgorithm.XxHash128: ChecksumXxHash128 = value; break;
        }
    }

    /// <summary>The first algorithm with a value, in S3's order of the elements, and the value; (None, null) when none.</summary>
    public (ChecksumAlgorithm Algorithm, string? Value) First()
    {
        for (var a = ChecksumAlgorithm.Crc32; a <= ChecksumAlgorithmExtensions.Last; a++)
        {
            if (Get(a) is { } value) return (a, value);
        }
        return (ChecksumAlgorithm.None, null);
    }

    /// <summary>
    /// Copies the checksum values into <paramref name="target"/>; the checksum type too unless
    /// <paramref name="includeType"/> is false (a part carries no type).
    /// </summary>
    public void CopyTo(ObjectChecksums target, bool includeType = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.ChecksumCrc32 = ChecksumCrc32;
        target.ChecksumCrc32C = ChecksumCrc32C;
        target.ChecksumCrc64Nvme = ChecksumCrc64Nvme;
        target.ChecksumSha1 = ChecksumSha1;
        target.ChecksumSha256 = ChecksumSha256;
        target.ChecksumMd5 = ChecksumMd5;
        target.ChecksumSha512 = ChecksumSha512;
        target.ChecksumXxHash64 = ChecksumXxHash64;
        target.ChecksumXxHash3 = ChecksumXxHash3;
        target.ChecksumXxHash128 = ChecksumXxHash128;
        if (includeType) target.ChecksumType = ChecksumType;
    }

    internal void Write(ref Utf8XmlWriter writer)
    {
        writer.WriteOptionalElement("ChecksumCRC32"u8, ChecksumCrc32);
        writer.WriteOptionalElement("ChecksumCRC32C"u8, ChecksumCrc32C);
        writer.WriteOptionalElement("ChecksumCRC64NVME"u8, ChecksumCrc64Nvme);
        writer.WriteOptionalElement("ChecksumSHA1"u8, ChecksumSha1);
        writer.WriteOptionalElement("ChecksumSHA256"u8, ChecksumSha256);
        writer.WriteOptionalElement("ChecksumMD5"u8, ChecksumMd5);
        writer.WriteOptionalElement("ChecksumSHA512"u8, ChecksumSha512);
        writer.WriteOptionalElement("ChecksumXXHASH64"u8, ChecksumXxHash64);
        writer.WriteOptionalElement("ChecksumXXHASH3"u8, ChecksumXxHash3);
        writer.WriteOptionalElement("ChecksumXXHASH128"u8, ChecksumXxHash128);
        writer.WriteOptionalElement("ChecksumType"u8, ChecksumType);
    }

    /// <summary>Reads the current element if it is a checksum element; false leaves it unconsumed.</summary>
    internal bool TryRead(string name, XmlBodyReader reader)
    {
        switch (name)
        {
            case "ChecksumCRC32":
                ChecksumCrc32 = reader.ReadText();
                return true;
            case "ChecksumCRC32C":
                ChecksumCrc32C = reader.ReadText();
                return true;
            case "ChecksumCRC64NVME":
                ChecksumCrc64Nvme = reader.ReadText();
                return true;
            case "ChecksumSHA1":
                ChecksumSha1 = reader.ReadText();
                return true;
            case "ChecksumSHA256":
                ChecksumSha256 = reader.ReadText();
                return true;
            case "ChecksumMD5":
                ChecksumMd5 = reader.ReadText();
                return true;
            case "ChecksumSHA512":
                ChecksumSha512 = reader.ReadText();
                return true;
            case "ChecksumXXHASH64":
                ChecksumXxHash64 = reader.ReadText();
                return true;
            case "ChecksumXXHASH3":
                ChecksumXxHash3 = reader.ReadText();
                return true;
            case "ChecksumXXHASH128":
                ChecksumXxHash128 = reader.ReadText();
                return true;
            case "ChecksumType":
                ChecksumType = reader.ReadText();
                return true;
            default:
                return false;
        }
    }
}
