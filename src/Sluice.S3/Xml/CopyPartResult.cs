using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The UploadPartCopy response body (<c>CopyPartResult</c>).</summary>
public sealed class CopyPartResult
{
    public DateTimeOffset LastModified { get; set; }

    /// <summary>ETag of the copy, quotes included.</summary>
    public string ETag { get; set; } = string.Empty;

    public ObjectChecksums Checksums { get; } = new();

    public void WriteTo(IBufferWriter<byte> output) =>
        CopyResultXml.Write(output, "CopyPartResult"u8, LastModified, ETag, Checksums);

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<CopyPartResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "CopyPartResult", static reader =>
        {
            var result = new CopyPartResult();
            (result.LastModified, result.ETag) = CopyResultXml.Read(reader, result.Checksums);
            return result;
        });
}
