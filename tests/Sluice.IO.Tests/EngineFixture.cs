namespace Sluice.IO.Tests;

/// <summary>Every Sluice.IO test runs against both engines.</summary>
public static class Engines
{
    public static TheoryData<string> Both => new() { "uring", "managed" };

    /// <summary>
    /// Socket tests run io_uring twice: sockets named by registered slot (direct descriptors) and by descriptor.
    /// </summary>
    public static TheoryData<string> Sockets => new() { "uring-direct", "uring-fd", "managed" };

    public static bool IsUring(string mode) => mode.StartsWith("uring", StringComparison.Ordinal);

    public static IoEngine Create(string mode, int reactors = 2, uint ringEntries = 0, bool zeroCopyToLoopback = false) =>
        IoEngine.Create(new IoEngineOptions
        {
            Mode = IsUring(mode) ? "uring" : mode,
            ReactorCount = reactors,
            RingEntries = ringEntries == 0 ? Uring.UringReactor.DefaultEntries : ringEntries,
            DirectDescriptors = mode switch { "uring-direct" => true, "uring-fd" => false, _ => null },
            ZeroCopyToLoopback = zeroCopyToLoopback,
        });
}
