using System.Runtime.InteropServices;
using System.Text;
using Sluice.IO.Native;

namespace Sluice.IO.Files;

/// <summary>
/// One native block holding a scratch area (e.g. a statx buffer) followed by NUL-terminated UTF-8 paths, kept alive
/// until the kernel has finished with them. Metadata calls are not a hot path; one malloc each is fine.
/// </summary>
internal sealed unsafe class NativePath : IDisposable
{
    private byte* _block;

    /// <summary>Holds <paramref name="path"/> (null: the empty path, for AT_EMPTY_PATH calls on a descriptor).</summary>
    public NativePath(string? path, string? second = null, int scratchBytes = 0)
    {
        path ??= "";
        if (path.Length > 0) Validate(path);
        if (second != null) Validate(second);
        int scratch = (scratchBytes + 7) & ~7;
        int first = Encoding.UTF8.GetByteCount(path) + 1;
        int total = scratch + first + (second == null ? 1 : Encoding.UTF8.GetByteCount(second) + 1);
        _block = (byte*)NativeMemory.AlignedAlloc((nuint)total, 8);
        new Span<byte>(_block, total).Clear();
        Scratch = _block;
        First = _block + scratch;
        Encoding.UTF8.GetBytes(path, new Span<byte>(First, first - 1));
        Second = First + first;
        if (second != null) Encoding.UTF8.GetBytes(second, new Span<byte>(Second, total - scratch - first - 1));
    }

    public byte* Scratch { get; }
    public byte* First { get; }

    /// <summary>The second path, or an empty string when none was given.</summary>
    public byte* Second { get; }

    // The same as numbers, for SQE fields (and for async code, which cannot hold pointers).
    public ulong ScratchAddress => (ulong)Scratch;
    public ulong FirstAddress => (ulong)First;
    public ulong SecondAddress => (ulong)Second;

    public IoFileStat ParseStatx() => Statx.Parse(Scratch);

    // libc fallbacks over the held paths; return -1 with errno set on failure.
    public int OpenAt(int flags, uint mode) => LibC.OpenAt(LibC.AtFdCwd, First, flags, mode);
    public int StatxAt(int dirFd, int flags) => LibC.Statx(dirFd, First, flags, Statx.Mask, Scratch);
    public int RenameAt() => LibC.RenameAt(LibC.AtFdCwd, First, LibC.AtFdCwd, Second);
    public int UnlinkAt() => LibC.UnlinkAt(LibC.AtFdCwd, First, 0);

    private static void Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0')) throw new ArgumentException("a path cannot contain NUL characters", nameof(path));
    }

    public void Dispose()
    {
        if (_block == null) return;
        NativeMemory.AlignedFree(_block);
        _block = null;
    }
}
