using System.Diagnostics;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// A small tmpfs mounted over a directory (its files copied onto it), to give one part of a data directory a file
/// system that fills up. Needs root; <see cref="TmpfsFactAttribute"/> skips the test otherwise. Disposing detaches it
/// lazily (umount -l): files a server still holds open keep it alive until they close.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _path;
    private bool _mounted;

    private Tmpfs(string path) => _path = path;

    public static Tmpfs MountOver(string directory, string size)
    {
        string held = directory + ".held";
        Directory.Move(directory, held);
        Directory.CreateDirectory(directory);
        var tmpfs = new Tmpfs(directory);
        Run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", directory);
        tmpfs._mounted = true;
        foreach (string file in Directory.EnumerateFiles(held)) File.Copy(file, Path.Join(directory, Path.GetFileName(file)));
        Directory.Delete(held, recursive: true);
        return tmpfs;
    }

    /// <summary>Writes <paramref name="name"/> until the file system is full (ENOSPC).</summary>
    public void Fill(string name)
    {
        byte[] page = new byte[4096];
        using var file = File.OpenHandle(Path.Join(_path, name), FileMode.Create, FileAccess.Write);
        long offset = 0;
        try
        {
            while (true)
            {
                RandomAccess.Write(file, page, offset);
                offset += page.Length;
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    /// <summary>Space comes back.</summary>
    public void Free(string name) => File.Delete(Path.Join(_path, name));

    public void Dispose()
    {
        if (_mounted) Run("umount", "-l", _path);
        _mounted = false;
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error}");
    }
}

/// <summary>A fact that mounts a tmpfs: skipped unless the tests run as root (CI does).</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess) Skip = "mounting a tmpfs needs root";
    }
}
