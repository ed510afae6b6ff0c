namespace Sluice.Server.Storage;

/// <summary>One entry of CompleteMultipartUpload's part list: number, ETag and optional checksum as the client sent.</summary>
public sealed record CompletedPart(int PartNumber, string ETag, string? Checksum = null);
