namespace Sluice.S3.Xml;

/// <summary>One <c>Upload</c> entry of a ListMultipartUploads response.</summary>
public sealed class ListedUpload
{
    public string Key { get; set; } = string.Empty;

    public string UploadId { get; set; } = string.Empty;

    public S3Owner? Initiator { get; set; }

    public S3Owner? Owner { get; set; }

    public string? StorageClass { get; set; }

    public DateTimeOffset Initiated { get; set; }

    public string? ChecksumAlgorithm { get; set; }

    public string? ChecksumType { get; set; }
}
