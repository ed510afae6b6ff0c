namespace Sluice.IO.Native;

/// <summary>Linux errno values Sluice.IO reacts to (asm-generic/errno-base.h, errno.h).</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
        EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOSPC = 28,
        EPIPE = 32, ENOSYS = 38, ENOTSUP = 95, EADDRINUSE = 98, ENETUNREACH = 101, ECONNABORTED = 103,
        ECONNRESET = 104, ETIMEDOUT = 110, ECONNREFUSED = 111, EALREADY = 114, EINPROGRESS = 115,
        ECANCELED = 125, ETIME = 62, ENOBUFS = 105,
        ENOTDIR = 20, EISDIR = 21, EFBIG = 27, EROFS = 30, ENOTEMPTY = 39, EOPNOTSUPP = ENOTSUP;
}
