namespace Sluice.Server.Index;

/// <summary>How an object's additional checksum covers it (S3's <c>ChecksumType</c> in listings).</summary>
public enum ObjectChecksumType : byte
{
    /// <summary>The object has no additional checksum.</summary>
    None = 0,

    /// <summary>A checksum of the part checksums (<c>COMPOSITE</c>), multipart uploads by default.</summary>
    Composite = 1,

    /// <summary>A checksum of the whole body (<c>FULL_OBJECT</c>).</summary>
    FullObject = 2,
}
