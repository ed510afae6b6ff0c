namespace Sluice.S3.Xml;

/// <summary>One <c>Part</c> of a CompleteMultipartUpload request.</summary>
public sealed class CompletedPart
{
    public int PartNumber { get; set; }

    /// <summary>The part's ETag as the client sent it (quotes optional on the wire).</summary>
    public string ETag { get; set; } = string.Empty;

    public ObjectChecksums Checksums { get; } = new();
}
