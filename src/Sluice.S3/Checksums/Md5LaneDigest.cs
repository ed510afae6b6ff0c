using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Sluice.S3.Checksums;

/// <summary>
/// An MD5 digest whose whole blocks are hashed by a shared <see cref="Md5LaneHasher"/>, in a lane beside up to
/// seven other streams. Bytes are fed in order: <see cref="AppendAsync"/> hands a chunk to the hasher (awaited before
/// the next call: the chunk's memory is read until then), <see cref="Append"/> hashes on the caller's thread; bytes
/// short of a whole block wait in the stream until the next chunk or <see cref="Finish"/>. Rented from and returned
/// to its hasher (<see cref="Dispose"/>), so a request allocates nothing.
/// </summary>
public sealed unsafe class Md5LaneDigest : IValueTaskSource, IDisposable
{
    /// <summary>Below this many whole blocks a chunk is hashed on the caller's thread: a hand-off costs more.</summary>
    internal const int MinBlocksForLanes = 16;

    private readonly Md5LaneHasher _hasher;

    // [0, 64): the block that joins the previous chunk's leftover to this chunk's first bytes (read by the hasher);
    // [64, 128): the leftover of the latest chunk (fewer than 64 bytes), owned by the caller. Pinned: read by address.
    private readonly byte[] _blocks = GC.AllocateUninitializedArray<byte>(2 * Md5Block.Size, pinned: true);
    private ManualResetValueTaskSourceCore<bool> _core;
    private Md5State _state = Md5State.Initial;
    private long _length;
    private int _tailLength;
    private bool _busy;
    private bool _disposed;

    // The job the hasher works on (written before it is submitted, read and advanced by the hasher only).
    private MemoryHandle _pin;
    internal bool HeadPending;
    internal byte* Next;
    internal long BlocksLeft;

    internal Md5LaneDigest(Md5LaneHasher hasher)
    {
        _hasher = hasher;
        _core.RunContinuationsAsynchronously = true; // never run a request's code on the hasher's thread
    }

    /// <summary>Bytes appended so far.</summary>
    public long Length => _length;

    internal ref Md5State State => ref _state;

    internal byte* HeadBlock => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_blocks));

    private Span<byte> Tail => _blocks.AsSpan(Md5Block.Size, Md5Block.Size);

    /// <summary>Hashes <paramref name="bytes"/> on the caller's thread.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        CheckIdle();
        _length += bytes.Length;
        if (_tailLength > 0)
        {
            int take = Math.Min(Md5Block.Size - _tailLength, bytes.Length);
            bytes[..take].CopyTo(Tail[_tailLength..]);
            _tailLength += take;
            bytes = bytes[take..];
            if (_tailLength < Md5Block.Size) return;
            Md5Block.Compress(ref _state, Tail);
            _tailLength = 0;
        }
        int whole = bytes.Length & ~(Md5Block.Size - 1);
        Md5Block.Compress(ref _state, bytes[..whole]);
        bytes[whole..].CopyTo(Tail);
        _tailLength = bytes.Length - whole;
    }

    /// <summary>
    /// Hands <paramref name="data"/> to the hasher; completes (on a thread-pool thread) when its bytes are in the
    /// digest and the memory is no longer read. Await it before the next call, and before disposing the stream —
    /// also when the request has failed: the hasher may still be reading.
    /// </summary>
    public ValueTask AppendAsync(ReadOnlyMemory<byte> data)
    {
        CheckIdle();
        var bytes = data.Span;
        _length += bytes.Length;
        int offset = 0;
        bool head = false;
        if (_tailLength > 0)
        {
            offset = Math.Min(Md5Block.Size - _tailLength, bytes.Length);
            bytes[..offset].CopyTo(Tail[_tailLength..]);
            _tailLength += offset;
            if (_tailLength < Md5Block.Size) return default;
            Tail.CopyTo(_blocks); // the head block, so the tail is free for this chunk's leftover
            _tailLength = 0;
            head = true;
        }
        long whole = (bytes.Length - offset) / Md5Block.Size;
        int leftover = (bytes.Length - offset) % Md5Block.Size;
        bytes[(bytes.Length - leftover)..].CopyTo(Tail);
        _tailLength = leftover;
        if (whole < MinBlocksForLanes)
        {
            if (head) Md5Block.Compress(ref _state, _blocks.AsSpan(0, Md5Block.Size));
            Md5Block.Compress(ref _state, bytes.Slice(offset, (int)whole * Md5Block.Size));
            return default;
        }
        _pin = data.Pin();
        HeadPending = head;
        Next = (byte*)_pin.Pointer + offset;
        BlocksLeft = whole;
        _busy = true;
        _core.Reset();
        _hasher.Submit(this);
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Writes the digest of everything appended and starts over.</summary>
    public void Finish(Span<byte> digest)
    {
        CheckIdle();
        ArgumentOutOfRangeException.ThrowIfLessThan(digest.Length, Md5Block.Size / 4, nameof(digest));
        Md5Block.Finish(_state, Tail[.._tailLength], _length, digest);
        Reset();
    }

    /// <summary>Starts over (a new, empty stream).</summary>
    public void Reset()
    {
        CheckIdle();
        _state = Md5State.Initial;
        _length = 0;
        _tailLength = 0;
    }

    /// <summary>
    /// Gives the digest back to its hasher. Its last <see cref="AppendAsync"/> should have completed; if it has not
    /// (a caller's bug), the digest is not reused: the hasher finishes the job and the object is left to the GC.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _hasher.Return(this, reuse: !_busy);
        if (_busy) return;
        _state = Md5State.Initial;
        _length = 0;
        _tailLength = 0;
    }

    /// <summary>Called by the hasher when the job's last block is in the state.</summary>
    internal void Complete()
    {
        _pin.Dispose();
        _pin = default;
        Next = null;
        _busy = false;
        _core.SetResult(true);
    }

    /// <summary>Called by the hasher when it hands the digest out again.</summary>
    internal void Revive() => _disposed = false;

    private void CheckIdle()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_busy) throw new InvalidOperationException("the previous AppendAsync has not completed");
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
