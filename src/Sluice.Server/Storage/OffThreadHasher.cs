using System.Threading.Tasks.Sources;
using Sluice.IO.Buffers;
using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// Runs one body chunk's digests (MD5, unless the shared multi-buffer hasher has it, and up to two checksums) on a thread-pool thread, so a large body's reactor
/// receives and writes the next chunk while another core hashes this one. One job at a time: the caller awaits a
/// job before starting the next, which keeps the digests in body order. Reused for every chunk of a body: a job
/// allocates nothing.
/// </summary>
internal sealed class OffThreadHasher : IThreadPoolWorkItem, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core;
    private Md5Digest? _md5;
    private S3Checksum? _first;
    private S3Checksum? _second;
    private NativeBuffer? _buffer;
    private int _length;

    /// <summary>Starts hashing the first <paramref name="length"/> bytes of <paramref name="buffer"/>.</summary>
    public ValueTask HashAsync(Md5Digest? md5, S3Checksum? first, S3Checksum? second, NativeBuffer buffer, int length)
    {
        _core.Reset();
        _md5 = md5;
        _first = first;
        _second = second;
        _buffer = buffer;
        _length = length;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return new ValueTask(this, _core.Version);
    }

    void IThreadPoolWorkItem.Execute()
    {
        try
        {
            var bytes = _buffer!.GetSpan()[.._length];
            _md5?.Append(bytes);
            _first?.Append(bytes);
            _second?.Append(bytes);
            _buffer = null;
            _core.SetResult(true);
        }
        catch (Exception e)
        {
            _buffer = null;
            _core.SetException(e);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
