namespace Sluice.Client.Transfer;

/// <summary>
/// A transfer that did not complete. The message says what failed and what is left behind: an interrupted
/// multipart upload names its <see cref="UploadId"/> (pass it back to resume, or abort it); an interrupted
/// download keeps <c>&lt;dst&gt;.sluice-part</c> and its sidecar for a resume. The cause is the inner exception
/// (often an <see cref="S3Exception"/> or an I/O error).
/// </summary>
public class TransferException : Exception
{
    public TransferException() { }
    public TransferException(string message) : base(message) { }
    public TransferException(string message, Exception innerException) : base(message, innerException) { }

    public TransferException(string message, string? bucket, string? key, string? uploadId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Bucket = bucket;
        Key = key;
        UploadId = uploadId;
    }

    public string? Bucket { get; }
    public string? Key { get; }

    /// <summary>The multipart upload left in place (resume with it, or abort it); null when none is.</summary>
    public string? UploadId { get; }
}
