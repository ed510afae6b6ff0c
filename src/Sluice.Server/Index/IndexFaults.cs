using Microsoft.Win32.SafeHandles;

namespace Sluice.Server.Index;

/// <summary>
/// Fault injection for the index's file writes (tests): while <see cref="FailWrites"/> is set, every journal append,
/// journal creation and snapshot write fails as a full file system would (ENOSPC), after writing the first
/// <see cref="TornBytes"/> bytes of a journal append (a torn frame, as a write cut short leaves). Clearing the flag
/// is the space coming back. Like FASTER's SimulatedFlakyDevice, but as a hook: the index writes files directly.
/// </summary>
internal sealed class IndexFaults
{
    private volatile bool _failWrites;
    private int _failures;

    /// <summary>Fail every write from now on until cleared.</summary>
    public bool FailWrites
    {
        get => _failWrites;
        set => _failWrites = value;
    }

    /// <summary>Bytes of a failing journal append that still reach the file.</summary>
    public int TornBytes { get; set; }

    /// <summary>Writes failed so far.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Called before a journal append of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public void BeforeWrite(SafeFileHandle file, ReadOnlySpan<byte> data, long offset)
    {
        if (!_failWrites)
        {
            return;
        }

        int torn = Math.Min(TornBytes, data.Length);
        if (torn > 0)
        {
            RandomAccess.Write(file, data[..torn], offset);
        }

        Fail();
    }

    /// <summary>Called before creating or replacing an index file.</summary>
    public void BeforeCreate()
    {
        if (_failWrites)
        {
            Fail();
        }
    }

    private void Fail()
    {
        Interlocked.Increment(ref _failures);
        throw new IOException("No space left on device (injected)", 28);
    }
}
