using Sluice.S3.Xml;

namespace Sluice.Client.Model;

/// <summary>An uploaded part: what CompleteMultipartUpload needs back.</summary>
public sealed record UploadPartResponse(int PartNumber, string ETag, ObjectChecksums Checksums)
{
    /// <summary>The part as CompleteMultipartUpload lists it (checksums included).</summary>
    public CompletedPart ToCompletedPart()
    {
        var part = new CompletedPart { PartNumber = PartNumber, ETag = ETag };
        part.Checksums.ChecksumCrc32 = Checksums.ChecksumCrc32;
        part.Checksums.ChecksumCrc32C = Checksums.ChecksumCrc32C;
        part.Checksums.ChecksumCrc64Nvme = Checksums.ChecksumCrc64Nvme;
        part.Checksums.ChecksumSha1 = Checksums.ChecksumSha1;
        part.Checksums.ChecksumSha256 = Checksums.ChecksumSha256;
        return part;
    }
}
