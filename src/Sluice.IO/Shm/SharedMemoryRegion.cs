using System.Buffers;
using System.Runtime.InteropServices;

namespace Sluice.IO.Shm;

/// <summary>
/// A memfd-backed shared mapping: created by a client (its transfer buffers), or mapped by a server from a
/// descriptor the client passed. The creator seals the file against shrinking and growing, and a server maps only
/// a sealed file: a mapping whose file shrank would fault (SIGBUS) on the server's next access, so a hostile or
/// crashing client could otherwise take the server down.
/// </summary>
public sealed unsafe class SharedMemoryRegion : MemoryManager<byte>
{
    private nint _address;
    private int _fd;

    private SharedMemoryRegion(nint address, long length, int fd)
    {
        _address = address;
        Length = length;
        _fd = fd;
    }

    /// <summary>The mapping's size in bytes.</summary>
    public long Length { get; }

    /// <summary>The memfd (-1 once closed; a mapped-from-descriptor region closes it at once).</summary>
    public int FileDescriptor => _fd;

    /// <summary>The mapping's first byte (valid until disposed).</summary>
    public nint Address => _address;

    /// <summary>Creates a sealed memfd of <paramref name="length"/> bytes and maps it shared.</summary>
    public static SharedMemoryRegion Create(long length, string name = "sluice-placement")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, (long)int.MaxValue * 64);
        int fd = ShmNative.MemfdCreate(name, ShmNative.MfdCloexec | ShmNative.MfdAllowSealing);
        if (fd < 0) throw Error("memfd_create");
        try
        {
            if (ShmNative.Ftruncate(fd, length) != 0) throw Error("ftruncate");
            if (ShmNative.Fcntl(fd, ShmNative.FAddSeals, ShmNative.FSealShrink | ShmNative.FSealGrow | ShmNative.FSealSeal) != 0)
                throw Error("fcntl(F_ADD_SEALS)");
            nint address = ShmNative.Mmap(0, (nuint)length, ShmNative.ProtRead | ShmNative.ProtWrite, ShmNative.MapShared, fd, 0);
            if (address == -1) throw Error("mmap");
            return new SharedMemoryRegion(address, length, fd);
        }
        catch
        {
            ShmNative.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Maps a memfd another process passed, taking ownership of <paramref name="fd"/> (closed before this returns:
    /// the mapping keeps the memory). Refuses a file not sealed against shrinking or smaller than
    /// <paramref name="expectedLength"/>.
    /// </summary>
    public static SharedMemoryRegion MapReceived(int fd, long expectedLength)
    {
        try
        {
            int seals = ShmNative.Fcntl(fd, ShmNative.FGetSeals, 0);
            if (seals < 0) throw new InvalidOperationException("the descriptor is not a sealable memfd");
            if ((seals & ShmNative.FSealShrink) == 0) throw new InvalidOperationException("the memfd is not sealed against shrinking");
            long size = ShmNative.Lseek(fd, 0, ShmNative.SeekEnd);
            if (size < 0) throw Error("lseek");
            if (expectedLength <= 0 || size < expectedLength) throw new InvalidOperationException($"the memfd holds {size} bytes, not {expectedLength}");
            nint address = ShmNative.Mmap(0, (nuint)expectedLength, ShmNative.ProtRead | ShmNative.ProtWrite, ShmNative.MapShared, fd, 0);
            if (address == -1) throw Error("mmap");
            return new SharedMemoryRegion(address, expectedLength, -1);
        }
        finally
        {
            ShmNative.Close(fd);
        }
    }

    /// <summary>Bytes [offset, offset + length) of the mapping.</summary>
    public Memory<byte> Slice(long offset, int length)
    {
        if ((ulong)offset > (ulong)Length || (ulong)length > (ulong)(Length - offset))
            throw new ArgumentOutOfRangeException(nameof(offset));
        ObjectDisposedException.ThrowIf(_address == 0, this);
        return offset + length <= int.MaxValue && Length <= int.MaxValue
            ? Memory.Slice((int)offset, length)
            : new WindowManager(this, offset, length).Memory;
    }

    /// <summary>The whole mapping (at most 2 GiB − 1 bytes; larger regions are reached through <see cref="Slice"/>).</summary>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_address == 0, this);
        return new Span<byte>((void*)_address, (int)Math.Min(Length, int.MaxValue));
    }

    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)_address + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0) ShmNative.Munmap(address, (nuint)Length);
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) ShmNative.Close(fd);
    }

    /// <summary>Unmaps the region (and closes its memfd if it holds one).</summary>
    public void Release() => ((IDisposable)this).Dispose();

    private static IOException Error(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    /// <summary>A window past the first 2 GiB of a large region.</summary>
    private sealed class WindowManager(SharedMemoryRegion region, long offset, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new((byte*)region.Address + offset, length);

        public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)region.Address + offset + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
