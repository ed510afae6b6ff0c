using Sluice.IO.Native;

namespace Sluice.IO.Files;

/// <summary>
/// How <see cref="IoEngine.OpenFileAsync"/> opens a file. O_CLOEXEC is always set: descriptors never leak into
/// child processes.
/// </summary>
public sealed class IoFileOptions
{
    /// <summary>rw-r--r--: what a server writing objects wants by default.</summary>
    public const UnixFileMode DefaultPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite |
        UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public bool Read { get; init; } = true;
    public bool Write { get; init; }

    /// <summary>O_CREAT: create the file when it does not exist.</summary>
    public bool Create { get; init; }

    /// <summary>O_CREAT|O_EXCL: create the file, failing with EEXIST when it exists.</summary>
    public bool CreateExclusive { get; init; }

    /// <summary>O_TRUNC: cut an existing file to zero length.</summary>
    public bool Truncate { get; init; }

    /// <summary>
    /// O_DIRECT: bypass the page cache. Offsets, lengths and buffer addresses must then be multiples of
    /// <see cref="IoFile.DirectAlignment"/>; the file checks this before every call.
    /// </summary>
    public bool Direct { get; init; }

    /// <summary>Mode bits for a newly created file (the process umask still applies).</summary>
    public UnixFileMode Permissions { get; init; } = DefaultPermissions;

    /// <summary>Read an existing file.</summary>
    public static IoFileOptions OpenRead { get; } = new();

    /// <summary>Read and write, creating the file or truncating it.</summary>
    public static IoFileOptions CreateReadWrite { get; } = new() { Write = true, Create = true, Truncate = true };

    /// <summary>The open(2) flags these options stand for; rejects combinations the kernel would misread.</summary>
    internal int ToOpenFlags()
    {
        if (!Read && !Write) throw new ArgumentException("a file must be opened for reading, writing or both");
        if ((Create || CreateExclusive || Truncate) && !Write)
            throw new ArgumentException("Create, CreateExclusive and Truncate need Write access");
        int flags = Read && Write ? LibC.ORdWr : Write ? LibC.OWrOnly : LibC.ORdOnly;
        flags |= LibC.OCloexec;
        if (Create || CreateExclusive) flags |= LibC.OCreat;
        if (CreateExclusive) flags |= LibC.OExcl;
        if (Truncate) flags |= LibC.OTrunc;
        if (Direct) flags |= LibC.ODirect;
        return flags;
    }
}
