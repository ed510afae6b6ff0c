namespace Sluice.Cli.Bench;

/// <summary>What a job cost the machines: client CPU and memory and I/O system calls, and the embedded server's.</summary>
public sealed record ResourceUsage
{
    /// <summary>CPU seconds the client process(es) used during the run.</summary>
    public double ClientCpuSeconds { get; init; }

    /// <summary>Peak resident set of the client process (the largest agent's, distributed), bytes.</summary>
    public long ClientPeakRssBytes { get; init; }

    /// <summary>io_uring_enter calls of the client (null on the managed engine, whose sockets are not counted).</summary>
    public long? EnterCalls { get; init; }

    /// <summary>Connections the client had opened by the end of the run, preparation included (HTTP/1.1 or HTTP/2).</summary>
    public int? ConnectionsOpened { get; init; }

    /// <summary>CPU seconds of the embedded server (null for a remote endpoint).</summary>
    public double? ServerCpuSeconds { get; init; }

    /// <summary>Peak resident set of the embedded server, bytes.</summary>
    public long? ServerPeakRssBytes { get; init; }

    /// <summary>Throttling answers (503 SlowDown, 429, throttling codes) the client received during the run.</summary>
    public long ThrottledRequests { get; init; }

    /// <summary>Of those, the ones the client retried (the rest failed, see the errors).</summary>
    public long ThrottledRetries { get; init; }

    /// <summary>The prefixes the client slowed, slowest first, as they stood at the end (null: none).</summary>
    public IReadOnlyList<ThrottledPrefix>? ThrottledPrefixes { get; init; }

    /// <summary>Sums two clients' usage (agents of one run); the server is the same one, so taken from the first.</summary>
    public ResourceUsage Plus(ResourceUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with
        {
            ClientCpuSeconds = ClientCpuSeconds + other.ClientCpuSeconds,
            ClientPeakRssBytes = Math.Max(ClientPeakRssBytes, other.ClientPeakRssBytes),
            EnterCalls = EnterCalls is { } a && other.EnterCalls is { } b ? a + b : null,
            ThrottledRequests = ThrottledRequests + other.ThrottledRequests,
            ThrottledRetries = ThrottledRetries + other.ThrottledRetries,
            ThrottledPrefixes = ThrottledPrefixes is null ? other.ThrottledPrefixes
                : other.ThrottledPrefixes is null ? ThrottledPrefixes
                : [.. ThrottledPrefixes.Concat(other.ThrottledPrefixes).OrderBy(p => p.RequestsPerSecond)],
            ConnectionsOpened = ConnectionsOpened is { } c && other.ConnectionsOpened is { } d ? c + d : null,
        };
    }
}
