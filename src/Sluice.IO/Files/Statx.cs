using System.Buffers.Binary;

namespace Sluice.IO.Files;

/// <summary>struct statx (include/uapi/linux/stat.h): the fields Sluice reads and the mask asking for them.</summary>
internal static unsafe class Statx
{
    public const int Size = 256;

    // STATX_TYPE | STATX_MODE | STATX_MTIME | STATX_SIZE
    public const uint Mask = 0x1 | 0x2 | 0x40 | 0x200;

    private const int BlockSizeOffset = 4, ModeOffset = 28, SizeOffset = 40, MtimeOffset = 112;
    private const int TypeMask = 0xF000, TypeDirectory = 0x4000, TypeRegular = 0x8000, PermissionMask = 0xFFF;

    public static IoFileStat Parse(byte* buffer)
    {
        var b = new ReadOnlySpan<byte>(buffer, Size);
        int mode = BinaryPrimitives.ReadUInt16LittleEndian(b[ModeOffset..]);
        long seconds = BinaryPrimitives.ReadInt64LittleEndian(b[MtimeOffset..]);
        uint nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(b[(MtimeOffset + 8)..]);
        var mtime = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100);
        return new IoFileStat(
            Length: BinaryPrimitives.ReadInt64LittleEndian(b[SizeOffset..]),
            LastWriteTime: mtime,
            BlockSize: (int)BinaryPrimitives.ReadUInt32LittleEndian(b[BlockSizeOffset..]),
            IsDirectory: (mode & TypeMask) == TypeDirectory,
            Permissions: (UnixFileMode)(mode & PermissionMask),
            IsRegularFile: (mode & TypeMask) == TypeRegular);
    }
}
