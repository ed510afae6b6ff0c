using System.Collections.Concurrent;
using System.Diagnostics;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// One progress line for a whole sync: bytes of finished files plus the bytes in flight of the files moving now,
/// against the total of the files that may need copying. Drawn by <see cref="ProgressLine"/> (terminal only).
/// </summary>
internal sealed class SyncProgress : IDisposable
{
    private readonly ProgressLine _line;
    private readonly ConcurrentDictionary<string, long> _inFlight = new(StringComparer.Ordinal);
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly long _totalBytes;
    private readonly int _totalFiles;
    private long _doneBytes;
    private int _doneFiles;

    public SyncProgress(bool quiet, long totalBytes, int totalFiles)
    {
        _line = new ProgressLine(quiet);
        _totalBytes = totalBytes;
        _totalFiles = totalFiles;
    }

    /// <summary>A per-file reporter that feeds the shared line.</summary>
    public IProgress<TransferProgress> For(string name) => new Progress(this, name);

    /// <summary>A file finished (or needed no copy): its bytes count as done.</summary>
    public void FileDone(string name, long bytes)
    {
        _inFlight.TryRemove(name, out _);
        Interlocked.Add(ref _doneBytes, bytes);
        Interlocked.Increment(ref _doneFiles);
        Draw(name);
    }

    /// <summary>Clears the line so a result line can be printed.</summary>
    public void Clear() => _line.Dispose();

    public void Dispose() => _line.Dispose();

    private void Draw(string name)
    {
        long bytes = Volatile.Read(ref _doneBytes) + _inFlight.Values.Sum();
        _line.Report(new TransferProgress(name, bytes, _totalBytes, Volatile.Read(ref _doneFiles), _totalFiles, Stopwatch.GetElapsedTime(_start), false),
            $"{Volatile.Read(ref _doneFiles)}/{_totalFiles} files");
    }

    private sealed class Progress(SyncProgress owner, string name) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            owner._inFlight[name] = value.BytesDone;
            owner.Draw(name);
        }
    }
}
