using System.Runtime.InteropServices;

namespace Sluice.IO.Native;

/// <summary>
/// Every native allocation Sluice.IO makes goes through here, so tests can prove that closing an engine gives all
/// of it back (operation scratch, wake buffers, buffer-pool slabs).
/// </summary>
internal static unsafe class NativeAllocations
{
    private static long _live;
    private static long _liveBytes;

    /// <summary>Allocations not yet freed, process-wide.</summary>
    public static long Live => Interlocked.Read(ref _live);

    public static long LiveBytes => Interlocked.Read(ref _liveBytes);

    public static void* AlignedAlloc(nuint size, nuint alignment)
    {
        void* p = NativeMemory.AlignedAlloc(size, alignment);
        Interlocked.Increment(ref _live);
        Interlocked.Add(ref _liveBytes, (long)size);
        return p;
    }

    public static void AlignedFree(void* p, nuint size)
    {
        if (p == null) return;
        NativeMemory.AlignedFree(p);
        Interlocked.Decrement(ref _live);
        Interlocked.Add(ref _liveBytes, -(long)size);
    }
}
