namespace Sluice.IO.Files;

/// <summary>
/// What statx(2) says about a file: size, last write, preferred I/O block size, and its type (directory, regular file,
/// or neither: a device, FIFO or socket, whose bytes are a stream with no length).
/// </summary>
public readonly record struct IoFileStat(long Length, DateTimeOffset LastWriteTime, int BlockSize, bool IsDirectory,
    UnixFileMode Permissions, bool IsRegularFile);
