using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>What a completed transfer moved and how it was checked.</summary>
public sealed record TransferResult
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public required long Size { get; init; }
    public string? ETag { get; init; }
    public int PartCount { get; init; }

    /// <summary>Parts taken over from an earlier, interrupted attempt instead of being transferred again.</summary>
    public int ResumedParts { get; init; }

    public ChecksumAlgorithm ChecksumAlgorithm { get; init; }

    /// <summary>The object's checksum as S3 shows it (full-object base64, or composite "base64-N").</summary>
    public string? Checksum { get; init; }

    /// <summary>
    /// True when the bytes were checked against a checksum the server stored (download) or computed (upload), or, for
    /// a download of an object stored without one, against its MD5 ETag (<see cref="Verification"/> says which).
    /// False only when the server offered nothing comparable (<see cref="UnverifiedReason"/>); a mismatch is never a
    /// false here but a <see cref="ChecksumMismatchException"/>.
    /// </summary>
    public bool ChecksumVerified => Verification != TransferVerification.None;

    /// <summary>What the bytes were checked against.</summary>
    public TransferVerification Verification { get; init; }

    /// <summary>Why nothing could be checked, when <see cref="ChecksumVerified"/> is false (one line, for a warning).</summary>
    public string? UnverifiedReason { get; init; }

    /// <summary>The multipart upload used (uploads and multipart copies).</summary>
    public string? UploadId { get; init; }
}
