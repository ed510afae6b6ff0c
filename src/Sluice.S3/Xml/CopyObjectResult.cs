using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The CopyObject response body (<c>CopyObjectResult</c>).</summary>
public sealed class CopyObjectResult
{
    public DateTimeOffset LastModified { get; set; }

    /// <summary>ETag of the copy, quotes included.</summary>
    public string ETag { get; set; } = string.Empty;

    public ObjectChecksums Checksums { get; } = new();

    public void WriteTo(IBufferWriter<byte> output) =>
        CopyResultXml.Write(output, "CopyObjectResult"u8, LastModified, ETag, Checksums);

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<CopyObjectResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "CopyObjectResult", static reader =>
        {
            var result = new CopyObjectResult();
            (result.LastModified, result.ETag) = CopyResultXml.Read(reader, result.Checksums);
            return result;
        });
}
