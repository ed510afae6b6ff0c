namespace Sluice.S3.Checksums;

/// <summary>
/// A shared multi-buffer MD5 service: concurrent streams (<see cref="Md5LaneDigest"/>: bodies being received) hand it
/// their chunks, and one worker packs the next blocks of up to eight of them into each <see cref="Md5x8"/> pass, so
/// eight bodies cost about what one costs hashed alone. A stream occupies a lane only while it has a chunk waiting:
/// one whose client is slow does not hold the others back, and a lane that frees up takes the next waiting stream at
/// the next pass. The worker is a thread-pool work item that runs while there is work and ends when there is none
/// (nothing runs when the server is idle). Passes are at most <see cref="MaxBlocksPerPass"/> blocks, so a stream
/// arriving waits for at most one short pass before it gets a lane.
/// </summary>
public sealed class Md5LaneHasher : IThreadPoolWorkItem
{
    /// <summary>Blocks per lane per pass at most (16 KiB of each stream).</summary>
    internal const int MaxBlocksPerPass = 256;

    private readonly Lock _gate = new();
    private readonly Queue<Md5LaneDigest> _waiting = new(64);
    private readonly Stack<Md5LaneDigest> _free = new(64);
    private readonly bool _vectorized;
    private readonly bool _manual;
    private bool _running;
    private int _rented;

    // The worker's own: only one worker runs at a time (_running), so these need no lock.
    private readonly Md5LaneDigest?[] _lanes = new Md5LaneDigest?[Md5x8.Lanes];
    private Md5x8State _states;

    /// <summary>Creates a hasher (the server uses <see cref="Shared"/>).</summary>
    public Md5LaneHasher()
        : this(Md5x8.IsVectorized)
    {
    }

    /// <summary>
    /// Tests force the scalar passes with <paramref name="vectorized"/> false, and with <paramref name="manual"/> run
    /// the worker themselves (<see cref="RunPending"/>), so which streams share a pass does not depend on timing.
    /// </summary>
    internal Md5LaneHasher(bool vectorized, bool manual = false)
    {
        _vectorized = vectorized;
        _manual = manual;
    }

    /// <summary>Whether passes run in vectors on this CPU (AVX2); without, sharing a hasher gains nothing.</summary>
    public static bool IsVectorized => Md5x8.IsVectorized;

    /// <summary>The process's hasher.</summary>
    public static Md5LaneHasher Shared { get; } = new();

    /// <summary>Streams rented and not yet returned: the bodies hashing through this hasher now.</summary>
    public int ActiveStreams => Volatile.Read(ref _rented);

    /// <summary>Passes run so far (tests check that streams shared them).</summary>
    internal long Passes { get; private set; }

    /// <summary>Passes that had more than one lane busy.</summary>
    internal long SharedPasses { get; private set; }

    /// <summary>An empty stream; dispose it to give it back.</summary>
    public Md5LaneDigest Rent()
    {
        lock (_gate)
        {
            _rented++;
            if (!_free.TryPop(out var stream)) return new Md5LaneDigest(this);
            stream.Revive();
            return stream;
        }
    }

    internal void Return(Md5LaneDigest stream, bool reuse)
    {
        lock (_gate)
        {
            _rented--;
            if (reuse) _free.Push(stream);
        }
    }

    /// <summary>Queues a stream whose job is set; starts the worker if it is not running.</summary>
    internal void Submit(Md5LaneDigest stream)
    {
        lock (_gate)
        {
            _waiting.Enqueue(stream);
            if (_running || _manual) return;
            _running = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Runs the worker on the caller's thread until no stream has work (a manual hasher's tests).</summary>
    internal void RunPending()
    {
        lock (_gate) _running = true;
        Work();
    }

    void IThreadPoolWorkItem.Execute() => Work();

    private void Work()
    {
        var pointers = default(Md5LanePointers);
        while (true)
        {
            int busy = 0;
            lock (_gate)
            {
                for (int lane = 0; lane < Md5x8.Lanes; lane++)
                {
                    if (_lanes[lane] == null && _waiting.TryDequeue(out var joining))
                    {
                        _lanes[lane] = joining;
                        Md5x8.SetLane(ref _states, lane, joining.State);
                    }
                    if (_lanes[lane] != null) busy++;
                }
                if (busy == 0)
                {
                    _running = false;
                    return;
                }
            }
            Pass(ref pointers, busy);
        }
    }

    /// <summary>One pass: as many blocks as every busy lane has in a row (its join block counts as a row of one).</summary>
    private unsafe void Pass(ref Md5LanePointers pointers, int busy)
    {
        long run = MaxBlocksPerPass;
        for (int lane = 0; lane < Md5x8.Lanes; lane++)
        {
            var stream = _lanes[lane];
            if (stream == null)
            {
                pointers[lane] = 0;
            }
            else if (stream.HeadPending)
            {
                pointers[lane] = (nint)stream.HeadBlock;
                run = 1;
            }
            else
            {
                pointers[lane] = (nint)stream.Next;
                run = Math.Min(run, stream.BlocksLeft);
            }
        }
        Md5x8.Compress(ref _states, pointers, (int)run, _vectorized);
        Passes++;
        if (busy > 1) SharedPasses++;
        for (int lane = 0; lane < Md5x8.Lanes; lane++)
        {
            var stream = _lanes[lane];
            if (stream == null) continue;
            if (stream.HeadPending)
            {
                stream.HeadPending = false;
            }
            else
            {
                stream.Next += run * Md5Block.Size;
                stream.BlocksLeft -= run;
            }
            if (stream.HeadPending || stream.BlocksLeft > 0) continue;
            stream.State = Md5x8.GetLane(_states, lane);
            _lanes[lane] = null;
            stream.Complete();
        }
    }
}
