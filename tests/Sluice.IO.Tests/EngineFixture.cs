namespace Sluice.IO.Tests;

/// <summary>Every Sluice.IO test runs against both engines.</summary>
public static class Engines
{
    public static TheoryData<string> Both => new() { "uring", "managed" };

    public static IoEngine Create(string mode, int reactors = 2, uint ringEntries = 0, bool zeroCopyToLoopback = false) =>
        IoEngine.Create(new IoEngineOptions
        {
            Mode = mode,
            ReactorCount = reactors,
            RingEntries = ringEntries == 0 ? Uring.UringReactor.DefaultEntries : ringEntries,
            ZeroCopyToLoopback = zeroCopyToLoopback,
        });
}
