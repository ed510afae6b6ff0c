using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.IO.Uring;

namespace Sluice.IO.Tests;

/// <summary>The kernel ABI structs match include/uapi/linux/io_uring.h byte for byte.</summary>
public class StructLayoutTests
{
    [Fact]
    public void Sizes_match_the_kernel()
    {
        Assert.Equal(64, Unsafe.SizeOf<IoUringSqe>());
        Assert.Equal(16, Unsafe.SizeOf<IoUringCqe>());
        Assert.Equal(40, Unsafe.SizeOf<IoSqringOffsets>());
        Assert.Equal(40, Unsafe.SizeOf<IoCqringOffsets>());
        Assert.Equal(120, Unsafe.SizeOf<IoUringParams>());
    }

    [Theory]
    [InlineData(nameof(IoUringSqe.Opcode), 0)]
    [InlineData(nameof(IoUringSqe.Flags), 1)]
    [InlineData(nameof(IoUringSqe.IoPrio), 2)]
    [InlineData(nameof(IoUringSqe.Fd), 4)]
    [InlineData(nameof(IoUringSqe.Off), 8)]
    [InlineData(nameof(IoUringSqe.Addr), 16)]
    [InlineData(nameof(IoUringSqe.Len), 24)]
    [InlineData(nameof(IoUringSqe.OpFlags), 28)]
    [InlineData(nameof(IoUringSqe.UserData), 32)]
    [InlineData(nameof(IoUringSqe.BufIndex), 40)]
    [InlineData(nameof(IoUringSqe.Personality), 42)]
    [InlineData(nameof(IoUringSqe.SpliceFdIn), 44)]
    [InlineData(nameof(IoUringSqe.Addr3), 48)]
    public void Sqe_field_offsets_match_the_kernel(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<IoUringSqe>(field));

    [Theory]
    [InlineData(nameof(IoUringParams.SqEntries), 0)]
    [InlineData(nameof(IoUringParams.Features), 20)]
    [InlineData(nameof(IoUringParams.WqFd), 24)]
    [InlineData(nameof(IoUringParams.SqOff), 40)]
    [InlineData(nameof(IoUringParams.CqOff), 80)]
    public void Params_field_offsets_match_the_kernel(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<IoUringParams>(field));
}
