using System.Diagnostics;
using Sluice.IO;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Writes parts at their offsets into <c>&lt;dst&gt;.sluice-part</c> (O_DIRECT for aligned parts), records finished
/// parts in the sidecar, and renames to the destination only after every part and the object checksum are verified.
/// Durability: the data is fdatasynced before the rename, so the final name never shows a partial file, and the
/// directory (with the parents of any directory made for it) is fsynced after, through the engine's
/// <see cref="DirectorySyncGroup"/> (a group commit shared with the other files in flight). A directory transfer
/// hands the complete partial file to the group's batch instead: one syncfs for the data of many files, then the
/// renames, then one fsync per directory. An object of one part keeps no sidecar: there is
/// nothing to resume in it, and the sidecar's own write, fsync and rename were most of a small file's cost.
/// </summary>
internal sealed class FileDownloadSink : DownloadSink
{
    /// <summary>The sidecar is rewritten at most this often (and always when a transfer stops).</summary>
    private static readonly TimeSpan StateSaveInterval = TimeSpan.FromSeconds(1);

    /// <summary>Below this size a file is written through the page cache alone: no O_DIRECT handle, no preallocation
    /// (each an extra open or syscall that a small write does not pay back).</summary>
    private const long SmallFile = 1 << 20;

    private readonly IoEngine _engine;
    private readonly string _destination;
    private readonly bool _direct;
    private readonly bool _resume;
    private readonly DirectorySyncGroup _syncs;
    private readonly bool _deferDirectorySync;
    private IReadOnlyList<string> _directories = [];
    private bool _sidecar;
    private readonly Lock _lock = new();
    private PartFile? _file;
    private DownloadState? _state;
    private DownloadState? _resumeState;
    private Dictionary<int, ulong> _resumed = [];
    private long _lastSave = Stopwatch.GetTimestamp();

    public FileDownloadSink(IoEngine engine, string destination, bool direct, bool resume, DirectorySyncGroup syncs, bool deferDirectorySync)
    {
        _syncs = syncs;
        _deferDirectorySync = deferDirectorySync;
        _engine = engine;
        _destination = Path.GetFullPath(destination);
        _direct = direct;
        _resume = resume;
    }

    private string PartialPath => DownloadState.PartialPath(_destination);
    private string SidecarPath => DownloadState.SidecarPath(_destination);

    public override IReadOnlyDictionary<int, ulong> ResumedParts => _resumed;
    public override DownloadState? Resume => _resumeState;

    public override async ValueTask PrepareAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        string? dir = Path.GetDirectoryName(_destination);
        if (dir != null) _directories = _syncs.Prepare(dir);
        if (!_resume) { Discard(); return; }
        // No sidecar, nothing to resume (the common case: a new file): a stale partial file is truncated when opened,
        // so the two unlinks of Discard are not paid for every file of a directory.
        if (!File.Exists(SidecarPath)) return;
        DownloadState? state;
        try { state = DownloadState.Load(SidecarPath); }
        catch (InvalidDataException) { state = null; }
        if (state == null || state.Bucket != bucket || state.Key != key || !File.Exists(PartialPath)
            || state.PartSize < MemoryBudget.Alignment || state.Size < 0)
        {
            Discard();
            return;
        }
        // Check every recorded part against the bytes actually in the partial file: a part whose write never
        // reached the disk (crash) or was damaged since is fetched again.
        var plan = new PartPlan(state.Size, state.PartSize, PartPlanner.CountParts(state.Size, state.PartSize), 1);
        await using var file = await PartFile.OpenReadAsync(_engine, PartialPath, direct: false, cancellationToken).ConfigureAwait(false);
        long length = await file.GetLengthAsync(cancellationToken).ConfigureAwait(false);
        var verified = new Dictionary<int, ulong>();
        byte[] buffer = new byte[Math.Min(plan.PartSize, 1 << 20)];
        foreach (var (index, crc) in state.Parts)
        {
            if (index < 0 || index >= plan.PartCount) continue;
            long offset = plan.OffsetOf(index), partLength = plan.LengthOf(index);
            if (offset + partLength > length) continue;
            ulong actual = 0;
            for (long done = 0; done < partLength;)
            {
                int n = (int)Math.Min(buffer.Length, partLength - done);
                await file.ReadExactlyAsync(buffer.AsMemory(0, n), offset + done, cancellationToken).ConfigureAwait(false);
                actual = done == 0 ? PartChecksums.Compute(state.Algorithm, buffer.AsSpan(0, n)) : PartChecksums.Append(state.Algorithm, actual, buffer.AsSpan(0, n));
                done += n;
            }
            if (partLength == 0) actual = PartChecksums.Compute(state.Algorithm, []);
            if (actual == crc) verified[index] = crc;
        }
        _resumeState = state;
        _resumed = verified;
    }

    private void Discard()
    {
        _resumeState = null;
        _resumed = [];
        File.Delete(SidecarPath);
        File.Delete(PartialPath);
    }

    /// <summary>The resume state does not fit the object any more (it changed): start from scratch.</summary>
    public void ForgetResume() => Discard();

    public override async ValueTask OpenAsync(string bucket, string key, PartPlan plan, string etag, ChecksumAlgorithm algorithm, CancellationToken cancellationToken)
    {
        bool keep = _resumeState != null;
        _state = new DownloadState
        {
            Bucket = bucket, Key = key, ETag = etag, Size = plan.ObjectSize, PartSize = plan.PartSize, Algorithm = algorithm,
            Parts = keep ? new Dictionary<int, ulong>(_resumed) : [],
        };
        bool small = plan.ObjectSize < SmallFile;
        _file = await PartFile.OpenWriteAsync(_engine, PartialPath, small ? 0 : plan.ObjectSize, _direct && !small, keepContents: keep, cancellationToken)
            .ConfigureAwait(false);
        // One part is fetched whole or not at all: no state to keep for a resume.
        _sidecar = plan.PartCount > 1;
        if (_sidecar) _state.Save(SidecarPath);
    }

    public override async ValueTask WritePartAsync(int index, long offset, ReadOnlyMemory<byte> data, PartBuffer? buffer, ulong crc, CancellationToken cancellationToken)
    {
        if (buffer != null) await _file!.WriteAsync(buffer, data.Length, offset, cancellationToken).ConfigureAwait(false);
        else await _file!.WriteAsync(data, offset, cancellationToken).ConfigureAwait(false);
        bool save;
        lock (_lock)
        {
            _state!.Parts[index] = crc;
            save = _sidecar && Stopwatch.GetElapsedTime(_lastSave) >= StateSaveInterval;
            if (save) _lastSave = Stopwatch.GetTimestamp();
        }
        if (save) SaveState();
    }

    private void SaveState()
    {
        DownloadState snapshot;
        lock (_lock)
            snapshot = new DownloadState
            {
                Bucket = _state!.Bucket, Key = _state.Key, ETag = _state.ETag, Size = _state.Size, PartSize = _state.PartSize,
                Algorithm = _state.Algorithm, Parts = new Dictionary<int, ulong>(_state.Parts),
            };
        snapshot.Save(SidecarPath);
    }

    public override async ValueTask<ulong?> RehashAsync(ChecksumAlgorithm algorithm, long size, MemoryBudget budget, CancellationToken cancellationToken)
    {
        const int Step = 1 << 20;
        using var buffer = await budget.RentAsync((int)Math.Clamp(size, 1, Step), cancellationToken).ConfigureAwait(false);
        ulong crc = PartChecksums.Compute(algorithm, []);
        for (long done = 0; done < size;)
        {
            int n = (int)Math.Min(Step, size - done);
            var memory = buffer.Memory[..n];
            await _file!.ReadExactlyAsync(memory, done, cancellationToken).ConfigureAwait(false);
            crc = PartChecksums.Append(algorithm, crc, memory.Span);
            done += n;
        }
        return crc;
    }

    public override bool CanReadBack => true;

    public override ValueTask ReadBackAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        _file!.ReadExactlyAsync(destination, offset, cancellationToken);

    public override async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        if (_deferDirectorySync)
        {
            // A directory transfer: the batch syncs the data of many files at once, then renames them (see DirectorySyncGroup).
            await _file!.DisposeAsync().ConfigureAwait(false);
            _file = null;
            await _syncs.DeferAsync(PartialPath, _destination, _sidecar ? SidecarPath : null, _state?.Size ?? 0,
                _directories.Count > 0 ? _directories : [Path.GetDirectoryName(_destination)!]).ConfigureAwait(false);
            return;
        }
        await _file!.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
        _file = null;
        await _engine.RenameAsync(PartialPath, _destination, cancellationToken).ConfigureAwait(false);
        if (_sidecar) File.Delete(SidecarPath);
        if (_directories.Count == 1) await _syncs.SyncAsync(_directories[0], cancellationToken).ConfigureAwait(false);
        else if (_directories.Count > 1)
            await Task.WhenAll(_directories.Select(d => _syncs.SyncAsync(d, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Whether the last <see cref="FailAsync"/> kept a partial download to resume (a failure before any
    /// response, such as an unknown key or version, keeps nothing).</summary>
    public bool KeptForResume { get; private set; }

    public override async ValueTask FailAsync(bool keepForResume)
    {
        if (_file != null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
        KeptForResume = keepForResume && _state != null && _sidecar;
        if (KeptForResume) SaveState();
        else Discard();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_file != null) await _file.DisposeAsync().ConfigureAwait(false);
        _file = null;
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
