using System.Runtime.InteropServices;
using Sluice.IO.Native;

namespace Sluice.IO;

/// <summary>
/// A failed I/O operation: which operation, and the errno the kernel gave. Both engines throw it, so callers
/// handle one type whatever runs underneath.
/// </summary>
public class IoException : IOException
{
    public IoException(string operation, int errno)
        : base($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno)
    {
        Operation = operation;
        Errno = errno;
    }

    public IoException(string operation, int errno, string message) : base(message, errno)
    {
        Operation = operation;
        Errno = errno;
    }

    public IoException(string operation, int errno, string message, Exception? inner) : base(message, inner)
    {
        Operation = operation;
        Errno = errno;
        HResult = errno;
    }

    public IoException() : this("io", 0, "I/O failed") { }
    public IoException(string message) : this("io", 0, message) { }
    public IoException(string message, Exception inner) : base(message, inner) { Operation = "io"; }

    /// <summary>The operation that failed, e.g. "connect", "recv", "write".</summary>
    public string Operation { get; }

    /// <summary>The Linux errno (positive), or 0 when none applies.</summary>
    public int Errno { get; }

    /// <summary>The peer went away: reset, broken pipe, or aborted.</summary>
    public bool IsConnectionReset => Errno is Native.Errno.ECONNRESET or Native.Errno.EPIPE or Native.Errno.ECONNABORTED;

    internal static IoException FromErrno(string operation, int errno) => errno switch
    {
        Native.Errno.ETIMEDOUT or Native.Errno.ETIME => new IoTimeoutException(operation),
        _ => new IoException(operation, errno),
    };
}

/// <summary>An operation did not finish within its timeout.</summary>
public sealed class IoTimeoutException : IoException
{
    public IoTimeoutException(string operation)
        : base(operation, Native.Errno.ETIMEDOUT, $"{operation} timed out") { }
    public IoTimeoutException() : this("io") { }
    public IoTimeoutException(string message, Exception inner) : base(message, inner) { }
}
