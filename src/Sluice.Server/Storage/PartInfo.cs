namespace Sluice.Server.Storage;

/// <summary>A committed part of a multipart upload (ListParts, UploadPart's answer).</summary>
public sealed record PartInfo(int PartNumber, long Size, string ETag, DateTimeOffset LastModified, string? Checksum);
