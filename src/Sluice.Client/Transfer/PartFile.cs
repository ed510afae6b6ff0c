using Sluice.IO;
using Sluice.IO.Files;

namespace Sluice.Client.Transfer;

/// <summary>
/// A local file read or written part by part at explicit offsets through the I/O engine (io_uring READ/WRITE on
/// the reactors, RandomAccess on the managed engine). Where the file system allows O_DIRECT, page-aligned parts go
/// through a second, O_DIRECT handle and bypass the page cache; an unaligned tail (the last part) goes through
/// the buffered handle. Parts never overlap, so the two handles never touch the same page.
/// </summary>
public sealed class PartFile : IAsyncDisposable
{
    private readonly IoFile _buffered;
    private readonly IoFile? _direct;

    private PartFile(IoFile buffered, IoFile? direct)
    {
        _buffered = buffered;
        _direct = direct;
    }

    public string Path => _buffered.Path;

    /// <summary>Whether aligned parts bypass the page cache.</summary>
    public bool IsDirect => _direct != null;

    /// <summary>Opens a file to read parts from (an upload source).</summary>
    public static async ValueTask<PartFile> OpenReadAsync(IoEngine engine, string path, bool direct, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var buffered = await engine.OpenFileAsync(path, IoFileOptions.OpenRead, cancellationToken).ConfigureAwait(false);
        IoFile? directFile = direct ? await TryOpenDirectAsync(engine, path, new IoFileOptions { Direct = true }, cancellationToken).ConfigureAwait(false) : null;
        return new PartFile(buffered, directFile);
    }

    /// <summary>
    /// Opens (creating, or truncating unless <paramref name="keepContents"/>) a file to write parts into and
    /// preallocates <paramref name="size"/> bytes where the file system supports it.
    /// </summary>
    public static async ValueTask<PartFile> OpenWriteAsync(IoEngine engine, string path, long size, bool direct, bool keepContents,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var options = new IoFileOptions { Read = true, Write = true, Create = true, Truncate = !keepContents };
        var buffered = await engine.OpenFileAsync(path, options, cancellationToken).ConfigureAwait(false);
        try
        {
            if (size > 0)
            {
                try { await buffered.AllocateAsync(0, size, cancellationToken).ConfigureAwait(false); }
                catch (IoException) { } // EOPNOTSUPP on some file systems: preallocation is only an optimisation
            }
            IoFile? directFile = direct
                ? await TryOpenDirectAsync(engine, path, new IoFileOptions { Read = true, Write = true, Direct = true }, cancellationToken).ConfigureAwait(false)
                : null;
            return new PartFile(buffered, directFile);
        }
        catch
        {
            await buffered.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask<IoFile?> TryOpenDirectAsync(IoEngine engine, string path, IoFileOptions options, CancellationToken cancellationToken)
    {
        try { return await engine.OpenFileAsync(path, options, cancellationToken).ConfigureAwait(false); }
        catch (IoException) { return null; } // EINVAL: the file system (tmpfs, some FUSE) has no O_DIRECT
    }

    private IoFile For(int length, long offset) =>
        _direct != null && offset % IoFile.DirectAlignment == 0 && length % IoFile.DirectAlignment == 0 ? _direct : _buffered;

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; a file that ends early is an error.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken = default)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            var slice = buffer[done..];
            int n = await For(slice.Length, offset + done).ReadAsync(slice, offset + done, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                throw new IOException($"{Path}: file ended at {offset + done} while reading {buffer.Length} bytes at {offset} (it changed during the transfer?)");
            done += n;
        }
    }

    /// <summary>Writes all of <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, long offset, CancellationToken cancellationToken = default) =>
        For(buffer.Length, offset).WriteAsync(buffer, offset, cancellationToken);

    /// <summary>Makes written data durable (fdatasync).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _buffered.FlushAsync(dataOnly: true, cancellationToken);

    public ValueTask<long> GetLengthAsync(CancellationToken cancellationToken = default) => _buffered.GetLengthAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_direct != null) await _direct.DisposeAsync().ConfigureAwait(false);
        await _buffered.DisposeAsync().ConfigureAwait(false);
    }
}
