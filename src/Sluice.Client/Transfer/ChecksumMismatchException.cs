namespace Sluice.Client.Transfer;

/// <summary>
/// Bytes did not match their checksum: a part or the whole object differs from what the server stored (or, on
/// upload, from what it computed). Never retried silently and never left looking complete: a download deletes its
/// partial file.
/// </summary>
public sealed class ChecksumMismatchException : TransferException
{
    public ChecksumMismatchException() { }
    public ChecksumMismatchException(string message) : base(message) { }
    public ChecksumMismatchException(string message, Exception innerException) : base(message, innerException) { }

    public ChecksumMismatchException(string message, string? bucket, string? key, string? expected, string? actual)
        : base(message, bucket, key)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The checksum the server reported (base64).</summary>
    public string? Expected { get; }

    /// <summary>The checksum of the bytes that arrived or were sent (base64).</summary>
    public string? Actual { get; }
}
