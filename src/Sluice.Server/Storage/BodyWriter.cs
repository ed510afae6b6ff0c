using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.IO.Files;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;

namespace Sluice.Server.Storage;

/// <summary>
/// Receives a body into a temp file under DIR/.tmp, hashing it (MD5 for the ETag, plus the optional S3 checksum) in
/// the same pass that writes it. Nothing is visible until the subclass commits; abandoning the writer (or a crash)
/// leaves only a temp file, removed at the next open. Writes are sequential: await each before the next.
/// </summary>
public abstract class BodyWriter : IBodyWriter
{
    /// <summary>
    /// Early writeback: every this many new body bytes, the writer asks the kernel to start writing them to disk
    /// (sync_file_range WRITE), so the disk works while the body is still arriving and the final fdatasync only has
    /// the tail left. Large enough that each request is a long sequential I/O, small enough to start soon.
    /// </summary>
    internal const long WritebackChunkBytes = 8L << 20;

    /// <summary>
    /// Dirty data a body may keep ahead of the disk: pages further than this behind the writeback front are waited
    /// for (sync_file_range WAIT_BEFORE), so one large PUT neither floods the page cache nor leaves a backlog.
    /// </summary>
    internal const long DirtyLimitBytes = 64L << 20;

    private readonly BodyDigests _digests;
    private IoFile? _file;
    private bool _finished;
    private long _writebackStart;   // body bytes [0, _writebackStart) have had writeback started
    private long _waitedUpTo;       // body bytes [0, _waitedUpTo) have been waited for
    private Task? _writeback;       // the writeback request in flight (runs beside the next writes)

    private protected BodyWriter(ObjectStore store, string tempPath, IoFile file, ChecksumAlgorithm checksumAlgorithm)
    {
        Store = store;
        TempPath = tempPath;
        _file = file;
        ChecksumAlgorithm = checksumAlgorithm;
        _digests = new BodyDigests(checksumAlgorithm);
    }

    private protected ObjectStore Store { get; }

    /// <summary>The temp file; it changes only if a large header makes the body move at commit.</summary>
    private protected string TempPath { get; private set; }

    /// <summary>Where the body starts in the temp file (the header region before it is filled at commit).</summary>
    private protected long BodyOffset { get; private set; } = ObjectHeader.DefaultBodyOffset;

    /// <summary>Body bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>The additional checksum computed while writing (None: only MD5).</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; }

    /// <summary>Appends <paramref name="chunk"/> to the body.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        var file = CheckOpen();
        _digests.Append(chunk.Span);
        await file.WriteAsync(chunk, BodyOffset + Length, cancellationToken).ConfigureAwait(false);
        await AdvanceAsync(file, chunk.Length).ConfigureAwait(false);
    }

    /// <summary>Appends the first <paramref name="length"/> bytes of a native buffer (WRITE_FIXED with io_uring).</summary>
    public async ValueTask WriteAsync(NativeBuffer buffer, int length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)buffer.Length, nameof(length));
        var file = CheckOpen();
        _digests.Append(buffer.GetSpan()[..length]);
        await file.WriteAsync(buffer, length, BodyOffset + Length, cancellationToken).ConfigureAwait(false);
        await AdvanceAsync(file, length).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends a native buffer's bytes as <see cref="WriteAsync(NativeBuffer, int, CancellationToken)"/> does, but the
    /// digests run on a thread-pool thread while the write runs, so the caller can receive the next chunk meanwhile
    /// (MD5 is the slowest step of a large PUT and cannot be split). Completes when the buffer may be reused, possibly
    /// on a thread-pool thread: the caller resumes on its reactor before its next I/O. Await each call before the
    /// next one (that keeps the digests in body order). <paramref name="extra"/> is a caller's checksum fed alongside.
    /// </summary>
    public async ValueTask WriteHashingElsewhereAsync(NativeBuffer buffer, int length, S3Checksum? extra)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)buffer.Length, nameof(length));
        var file = CheckOpen();
        var hashing = _digests.HashElsewhereAsync(buffer, length, extra);
        try
        {
            await file.WriteAsync(buffer, length, BodyOffset + Length).ConfigureAwait(false);
            await AdvanceAsync(file, length).ConfigureAwait(false);
        }
        finally
        {
            await hashing.ConfigureAwait(false); // the hash reads the buffer until it is done
        }
    }

    /// <summary>Counts <paramref name="length"/> written bytes and starts writeback once a chunk's worth has built up.</summary>
    private ValueTask AdvanceAsync(IoFile file, int length)
    {
        Length += length;
        return Length - _writebackStart >= WritebackChunkBytes ? StartWritebackAsync(file) : default;
    }

    /// <summary>
    /// Starts writeback of the bytes written since the last call and waits for what lies more than
    /// <see cref="DirtyLimitBytes"/> behind, as one request running beside the next writes (the previous one is
    /// awaited first, so at most one is in flight). Durability is unchanged: the commit's fdatasync still decides.
    /// </summary>
    private async ValueTask StartWritebackAsync(IoFile file)
    {
        if (_writeback != null) await _writeback.ConfigureAwait(false);
        long start = _writebackStart, end = Length;
        long waitFrom = _waitedUpTo, waitTo = Math.Max(_waitedUpTo, end - DirtyLimitBytes);
        _writebackStart = end;
        _waitedUpTo = waitTo;
        _writeback = WritebackAsync(file, BodyOffset, start, end, waitFrom, waitTo);
    }

    private static async Task WritebackAsync(IoFile file, long bodyOffset, long start, long end, long waitFrom, long waitTo)
    {
        await file.SyncRangeAsync(bodyOffset + start, end - start, SyncRangeMode.Write).ConfigureAwait(false);
        if (waitTo > waitFrom)
            await file.SyncRangeAsync(bodyOffset + waitFrom, waitTo - waitFrom, SyncRangeMode.WaitBefore).ConfigureAwait(false);
    }

    /// <summary>Waits for the writeback request in flight; a failure there (EIO) fails the body.</summary>
    private async ValueTask DrainWritebackAsync()
    {
        var pending = _writeback;
        _writeback = null;
        if (pending != null) await pending.ConfigureAwait(false);
    }

    /// <summary>Discards the body: the temp file is removed and nothing visible changes.</summary>
    public async ValueTask AbortAsync()
    {
        if (_finished) return;
        _finished = true;
        await CloseAndDeleteAsync().ConfigureAwait(false);
    }

    /// <summary>Aborts unless committed.</summary>
    public async ValueTask DisposeAsync()
    {
        await AbortAsync().ConfigureAwait(false);
        _digests.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Ends the body and checks it against what the client sent: Content-MD5 and/or the checksum value. A mismatch
    /// aborts (BadDigest). Returns the MD5 and the checksum (base64, or null).
    /// </summary>
    private protected async ValueTask<(byte[] Md5, string? Checksum)> FinishBodyAsync(string? expectedContentMd5,
        string? expectedChecksum)
    {
        CheckOpen();
        await DrainWritebackAsync().ConfigureAwait(false);
        _finished = true;
        var (md5, checksum, mismatch) = _digests.Finish(expectedContentMd5, expectedChecksum);
        if (mismatch != null)
        {
            await CloseAndDeleteAsync().ConfigureAwait(false);
            throw BodyDigests.BadDigest(mismatch);
        }
        return (md5, checksum);
    }

    /// <summary>
    /// Writes the header, makes the file durable (fdatasync) and closes it; afterwards <see cref="TempPath"/> holds
    /// a complete file ready to be renamed into place. A header larger than the reserved region moves the body once
    /// (kernel copy) into a fresh temp file with room for it.
    /// </summary>
    private protected async ValueTask SealAsync(byte[] metadata, CancellationToken cancellationToken)
    {
        var file = _file!;
        try
        {
            long needed = ObjectHeader.BodyOffsetFor(metadata.Length);
            if (needed > BodyOffset)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                _file = null;
                string moved = Store.Layout.NewTemp();
                file = await Store.Engine.OpenFileAsync(moved, ObjectStore.CreateNew, cancellationToken).ConfigureAwait(false);
                _file = file;
                string old = TempPath;
                TempPath = moved;
                await KernelCopy.CopyAsync(Store.Engine, old, BodyOffset, moved, needed, Length, cancellationToken)
                    .ConfigureAwait(false);
                await Store.Engine.DeleteAsync(old, cancellationToken).ConfigureAwait(false);
                BodyOffset = needed;
            }
            await file.WriteAsync(ObjectHeader.Build(metadata, BodyOffset, Length), 0, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
            await file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
        catch
        {
            await CloseAndDeleteAsync().ConfigureAwait(false);
            throw;
        }
    }

    private IoFile CheckOpen()
    {
        ObjectDisposedException.ThrowIf(_finished || _file == null, this);
        return _file;
    }

    private async ValueTask CloseAndDeleteAsync()
    {
        try
        {
            await DrainWritebackAsync().ConfigureAwait(false);
        }
        catch (IoException)
        {
            // The body is being discarded: a writeback failure on it no longer matters.
        }
        if (_file != null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
        await Store.TryDeleteFileAsync(TempPath).ConfigureAwait(false);
    }
}
