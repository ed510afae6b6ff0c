using Sluice.S3.Errors;

namespace Sluice.Server.Handlers;

/// <summary>
/// A request the handlers refuse before storage is asked (a bad header, a malformed XML body, a size past S3's
/// limits): answered with its S3 error, like a storage outcome (<see cref="Storage.S3StorageException"/>), but kept
/// apart from it so each layer's errors are its own.
/// </summary>
public sealed class S3RequestException : Exception
{
    public S3RequestException(S3Error error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public S3RequestException() : this(new S3Error(S3ErrorCode.InvalidRequest)) { }

    public S3RequestException(string message) : this(new S3Error(S3ErrorCode.InvalidRequest, message)) { }

    public S3RequestException(string message, Exception innerException)
        : base(message, innerException) => Error = new S3Error(S3ErrorCode.InvalidRequest, message);

    public S3Error Error { get; }
}
