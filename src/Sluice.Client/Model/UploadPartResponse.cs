using Sluice.S3.Xml;

namespace Sluice.Client.Model;

/// <summary>An uploaded part: what CompleteMultipartUpload needs back.</summary>
public sealed record UploadPartResponse(int PartNumber, string ETag, ObjectChecksums Checksums)
{
    /// <summary>The part as CompleteMultipartUpload lists it (checksums included).</summary>
    public CompletedPart ToCompletedPart()
    {
        var part = new CompletedPart { PartNumber = PartNumber, ETag = ETag };
        Checksums.CopyTo(part.Checksums, includeType: false);
        return part;
    }
}
