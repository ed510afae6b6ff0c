using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sluice.ClientBench;

/// <summary>
/// One direction of the emulated network: packets read from one TUN device go through a bottleneck of the profile's
/// rate with a one-BDP tail-drop buffer, random loss, then the one-way propagation delay, and are written into the other
/// TUN device at their delivery time (FIFO, so never reordered). The kernel's netem does this on a normal kernel;
/// this machine's kernel is built without netem (and fq), so the wire does it in user space, one thread per direction.
/// Fixed, preallocated slots: nothing is allocated per packet.
/// </summary>
internal sealed unsafe class WanLink : IDisposable
{
    private readonly int _in, _out, _slotSize, _slots;
    private readonly byte* _buffer, _scratch;
    private readonly int[] _length;
    private readonly long[] _deliver;
    private readonly long _delayTicks, _bufferTicks;
    private readonly double _ticksPerByte;
    private readonly ulong _lossThreshold;
    private ulong _random;
    private double _lastTxEnd;
    private int _head, _count;

    public long Forwarded, Lost, QueueDrops, SlotDrops, Bytes;

    public WanLink(int inFd, int outFd, WanProfile profile, ulong seed)
    {
        _in = inFd;
        _out = outFd;
        _slotSize = profile.Mtu + 64;
        double oneWaySeconds = profile.OneWayMs / 1000.0, bufferSeconds = Math.Max(profile.RttMs / 1000.0, 0.005);
        // Room for everything on the wire and in the buffer at full rate, counted in packets of a full MTU, twice over:
        // the reverse direction carries small ACKs, as many as half the data packets.
        long packets = (long)(profile.RateBitsPerSecond / 8.0 * (oneWaySeconds + bufferSeconds) / profile.Mtu);
        _slots = (int)Math.Min(2 * packets + 4096, 1 << 20);
        _buffer = (byte*)NativeMemory.Alloc((nuint)_slots * (nuint)_slotSize);
        _scratch = (byte*)NativeMemory.Alloc((nuint)_slotSize);
        _length = new int[_slots];
        _deliver = new long[_slots];
        _delayTicks = (long)(oneWaySeconds * Stopwatch.Frequency);
        _bufferTicks = (long)(bufferSeconds * Stopwatch.Frequency);
        _ticksPerByte = 8.0 * Stopwatch.Frequency / profile.RateBitsPerSecond;
        _lossThreshold = (ulong)(profile.LossPercent / 100.0 * ulong.MaxValue);
        _random = seed | 1;
    }

    public void Run(CancellationToken stop)
    {
        var pfd = new WanNative.PollFd { Fd = _in, Events = WanNative.PollIn };
        long* timeout = stackalloc long[2];
        while (!stop.IsCancellationRequested)
        {
            long now = Stopwatch.GetTimestamp();
            while (_count > 0 && _deliver[_head] <= now)
            {
                // A full receive backlog drops the packet in the kernel, as a congested host would: nothing to retry.
                WanNative.Write(_out, Slot(_head), (nuint)_length[_head]);
                Forwarded++;
                _head = (_head + 1) % _slots;
                _count--;
            }
            for (int reads = 0; reads < 256; reads++)
            {
                int tail = (_head + _count) % _slots;
                byte* slot = _count < _slots ? Slot(tail) : null;
                if (slot == null)
                {
                    // Out of slots (sized for twice the pipe, so only a misbehaving sender gets here): read and drop.
                    if (WanNative.Read(_in, _scratch, (nuint)_slotSize) <= 0) break;
                    SlotDrops++;
                    continue;
                }
                nint n = WanNative.Read(_in, slot, (nuint)_slotSize);
                if (n <= 0) break;
                long arrival = Stopwatch.GetTimestamp();
                if (_lossThreshold != 0 && Next() < _lossThreshold)
                {
                    Lost++;
                    continue;
                }
                double txStart = Math.Max(arrival, _lastTxEnd);
                if (txStart - arrival > _bufferTicks)
                {
                    QueueDrops++; // the bottleneck buffer (one BDP) is full: tail drop
                    continue;
                }
                _lastTxEnd = txStart + (n * _ticksPerByte);
                _length[tail] = (int)n;
                _deliver[tail] = (long)_lastTxEnd + _delayTicks;
                _count++;
                Bytes += n;
            }
            long wait = _count > 0 ? _deliver[_head] - Stopwatch.GetTimestamp() : Stopwatch.Frequency / 5;
            if (wait <= 0) continue;
            long ns = (long)(wait * (1e9 / Stopwatch.Frequency));
            timeout[0] = ns / 1_000_000_000;
            timeout[1] = ns % 1_000_000_000;
            WanNative.PPoll(_count < _slots ? &pfd : null, _count < _slots ? 1u : 0u, timeout, null);
        }
    }

    private byte* Slot(int index) => _buffer + ((long)index * _slotSize);

    private ulong Next()
    {
        // xorshift64*: cheap and good enough to pick which packets are lost.
        _random ^= _random >> 12;
        _random ^= _random << 25;
        _random ^= _random >> 27;
        return _random * 2685821657736338717UL;
    }

    public void Dispose()
    {
        NativeMemory.Free(_buffer);
        NativeMemory.Free(_scratch);
    }
}
