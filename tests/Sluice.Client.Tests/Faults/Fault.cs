namespace Sluice.Client.Tests.Faults;

/// <summary>What the proxy does to one connection.</summary>
internal enum FaultKind
{
    /// <summary>Relay both ways untouched.</summary>
    None,

    /// <summary>Read the request head (and body), answer with <see cref="Fault.Status"/> and an S3 error, close.</summary>
    Respond,

    /// <summary>Relay the response until <see cref="Fault.AfterBytes"/> bytes, then stop relaying but keep the socket open.</summary>
    Stall,

    /// <summary>Relay until <see cref="Fault.AfterBytes"/> bytes, then close cleanly (FIN): a body shorter than its Content-Length.</summary>
    Truncate,

    /// <summary>Relay until <see cref="Fault.AfterBytes"/> bytes, then reset (RST).</summary>
    Reset,
}

/// <summary>A fault for one proxied connection.</summary>
internal sealed record Fault(FaultKind Kind, long AfterBytes = 0, int Status = 503, string Code = "SlowDown")
{
    public static readonly Fault None = new(FaultKind.None);
}
