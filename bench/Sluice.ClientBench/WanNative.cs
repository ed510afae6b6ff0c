using System.Runtime.InteropServices;
using System.Text;

namespace Sluice.ClientBench;

/// <summary>The few libc calls the wire needs: a TUN device, packet read/write, and a nanosecond-timeout poll.</summary>
internal static unsafe partial class WanNative
{
    private const int ORdWr = 2, ONonBlock = 0x800, OCloExec = 0x80000;
    private const ulong TunSetIff = 0x400454ca;
    private const short IffTun = 0x0001, IffNoPi = 0x1000;
    public const short PollIn = 1;
    public const int EAgain = 11, EIntr = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    /// <summary>Creates (or attaches to) the layer-3 TUN device <paramref name="name"/>, non-blocking; it lives while the fd is open.</summary>
    public static int OpenTun(string name)
    {
        int fd = Open("/dev/net/tun", ORdWr | ONonBlock | OCloExec);
        if (fd < 0) throw new InvalidOperationException($"open /dev/net/tun: errno {Marshal.GetLastPInvokeError()}");
        byte* ifr = stackalloc byte[40];
        new Span<byte>(ifr, 40).Clear();
        byte[] bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length > 15) throw new ArgumentException($"device name too long: {name}");
        bytes.CopyTo(new Span<byte>(ifr, 16));
        *(short*)(ifr + 16) = IffTun | IffNoPi;
        if (Ioctl(fd, TunSetIff, ifr) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw new InvalidOperationException($"TUNSETIFF {name}: errno {errno}");
        }
        return fd;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, ulong request, void* arg);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    public static partial int PPoll(PollFd* fds, nuint count, long* timeout, void* sigmask);
}
