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

    /// <summary><c>COMPOSITE</c> or <c>FULL_OBJECT</c>; only objects carry it, not parts.</summary>
    public string? ChecksumType { get; set; }

    /// <summary>True when no checksum is set.</summary>
    public bool IsEmpty =>
        ChecksumCrc32 is null && ChecksumCrc32C is null && ChecksumCrc64Nvme is null &&
        ChecksumSha1 is null && ChecksumSha256 is null && ChecksumType is null;

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
        if (includeType) target.ChecksumType = ChecksumType;
    }

    internal void Write(ref Utf8XmlWriter writer)
    {
        writer.WriteOptionalElement("ChecksumCRC32"u8, ChecksumCrc32);
        writer.WriteOptionalElement("ChecksumCRC32C"u8, ChecksumCrc32C);
        writer.WriteOptionalElement("ChecksumCRC64NVME"u8, ChecksumCrc64Nvme);
        writer.WriteOptionalElement("ChecksumSHA1"u8, ChecksumSha1);
        writer.WriteOptionalElement("ChecksumSHA256"u8, ChecksumSha256);
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
            case "ChecksumType":
                ChecksumType = reader.ReadText();
                return true;
            default:
                return false;
        }
    }
}
