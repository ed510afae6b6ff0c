namespace Sluice.Server.Lifecycle;

/// <summary>What one lifecycle pass did: objects expired and incomplete multipart uploads aborted.</summary>
public sealed record LifecycleReport(int Expired, int Aborted)
{
    /// <summary>Noncurrent versions removed (NoncurrentVersionExpiration).</summary>
    public int NoncurrentExpired { get; init; }

    /// <summary>Delete markers removed that had no version left behind them (ExpiredObjectDeleteMarker).</summary>
    public int DeleteMarkersRemoved { get; init; }
}
