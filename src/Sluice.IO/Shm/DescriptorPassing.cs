using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sluice.IO.Shm;

/// <summary>
/// Sends and receives one file descriptor with a small message over a connected Unix domain socket (SCM_RIGHTS),
/// and reads the peer's credentials (SO_PEERCRED) — what .NET's Socket does not expose.
/// </summary>
public static unsafe class DescriptorPassing
{
    /// <summary>Sends <paramref name="message"/> with <paramref name="fd"/> attached.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> message, int fd)
    {
        ArgumentNullException.ThrowIfNull(socket);
        fixed (byte* data = message)
        {
            var iov = new ShmNative.IoVec { Base = (nint)data, Length = (nuint)message.Length };
            var control = new ShmNative.FdControl
            {
                Length = ShmNative.FdControlLength, Level = ShmNative.SolSocket, Type = ShmNative.ScmRights, Fd = fd,
            };
            var header = new ShmNative.MsgHdr
            {
                Iov = (nint)(&iov), IovLength = 1, Control = (nint)(&control), ControlLength = (nuint)sizeof(ShmNative.FdControl),
            };
            while (true)
            {
                nint n = ShmNative.Sendmsg((int)socket.Handle, &header, ShmNative.MsgNoSignal);
                if (n == message.Length) return;
                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == 4) continue; // EINTR
                throw new IOException(n < 0 ? $"sendmsg failed: errno {errno}" : "sendmsg sent part of the registration");
            }
        }
    }

    /// <summary>
    /// Receives a message of up to <paramref name="buffer"/>'s length without waiting (call it once the socket is
    /// readable) and the descriptor attached to it (-1 when none). Returns the message length, 0 at end of stream, -1
    /// when nothing is there yet. Descriptors arrive close-on-exec.
    /// </summary>
    public static int TryReceive(Socket socket, Span<byte> buffer, out int fd)
    {
        ArgumentNullException.ThrowIfNull(socket);
        fd = -1;
        fixed (byte* data = buffer)
        {
            var iov = new ShmNative.IoVec { Base = (nint)data, Length = (nuint)buffer.Length };
            var control = default(ShmNative.FdControl);
            var header = new ShmNative.MsgHdr
            {
                Iov = (nint)(&iov), IovLength = 1, Control = (nint)(&control), ControlLength = (nuint)sizeof(ShmNative.FdControl),
            };
            nint n;
            do n = ShmNative.Recvmsg((int)socket.Handle, &header, ShmNative.MsgDontWait | ShmNative.MsgCmsgCloexec);
            while (n < 0 && Marshal.GetLastPInvokeError() == 4);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == 11) return -1; // EAGAIN
                throw new IOException($"recvmsg failed: errno {errno}");
            }
            if (header.ControlLength >= ShmNative.FdControlLength && control.Level == ShmNative.SolSocket && control.Type == ShmNative.ScmRights)
                fd = control.Fd;
            return (int)n;
        }
    }

    /// <summary>The connected peer's process id, user id and group id (SO_PEERCRED: fixed when it connected).</summary>
    public static (int Pid, uint Uid, uint Gid) PeerCredentials(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> credentials = stackalloc byte[12];
        int n = socket.GetRawSocketOption(ShmNative.SolSocket, ShmNative.SoPeerCred, credentials);
        if (n != 12) throw new IOException("SO_PEERCRED returned no credentials");
        return (MemoryMarshal.Read<int>(credentials), MemoryMarshal.Read<uint>(credentials[4..]), MemoryMarshal.Read<uint>(credentials[8..]));
    }

    /// <summary>This process's effective user id.</summary>
    public static uint EffectiveUserId => ShmNative.Geteuid();

    /// <summary>Closes a descriptor received and not used.</summary>
    public static void CloseDescriptor(int fd)
    {
        if (fd >= 0) ShmNative.Close(fd);
    }
}
