using System.Runtime.InteropServices;
using Sluice.IO.Native;

namespace Sluice.IO.Files;

/// <summary>Error helpers shared by both engines' file code.</summary>
internal static class FileErrors
{
    /// <summary>EINTR and EAGAIN mean "try again": file operations retry them instead of surfacing them.</summary>
    public static bool IsTransient(IoException e) => e.Errno is Errno.EINTR or Errno.EAGAIN;

    /// <summary>The same failure, with the path in the message (which file matters more than which call).</summary>
    public static IoException WithPath(IoException e, string path) =>
        e is IoTimeoutException || e.Errno == 0 ? e
            : new IoException(e.Operation, e.Errno,
                $"{e.Operation} {path}: {Marshal.GetPInvokeErrorMessage(e.Errno)} (errno {e.Errno})");

    /// <summary>The last libc error as an exception naming the operation and the path.</summary>
    public static IoException LastError(string operation, string? path)
    {
        int errno = Marshal.GetLastPInvokeError();
        var e = IoException.FromErrno(operation, errno);
        return path == null ? e : WithPath(e, path);
    }
}
