using Sluice.S3.Xml;

namespace Sluice.Client.Model;

/// <summary>What PutObject (and UploadPart) answer: the ETag, version and checksums the server stored.</summary>
public sealed record PutObjectResponse(string? ETag, string? VersionId, ObjectChecksums Checksums, string? RequestId);
