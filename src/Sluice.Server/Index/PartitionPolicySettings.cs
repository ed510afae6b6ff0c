namespace Sluice.Server.Index;

/// <summary>
/// Parameters of the background partition policy (heat splits, cold merges) and of the clock it and the S3 limits
/// emulation read. Count splits need no policy: a partition splits as a write passes
/// <see cref="KeyIndexOptions.SplitKeyCount"/> keys.
/// </summary>
public sealed class PartitionPolicySettings
{
    /// <summary>
    /// How long a partition stays hot before it is split. AWS documents only that S3 scales "gradually" and answers
    /// 503 SlowDown meanwhile; a minute keeps a rehearsal honest (a client has to live through sustained throttling,
    /// not just a burst) while still showing the adaptation within a short run. Lower it to watch splits quickly.
    /// </summary>
    public static readonly TimeSpan DefaultHeatSplitDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long two neighbours stay cold before they merge. Ten minutes: S3 keeps capacity it built for a while, so a
    /// load that pauses and returns is not throttled again; merging sooner would make a bursty client pay twice.
    /// </summary>
    public static readonly TimeSpan DefaultMergeColdAfter = TimeSpan.FromMinutes(10);

    /// <summary>Policy ticks: once a second is fine-grained against the delays above and costs a walk of each map.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A partition is hot when its offered load (reads over the read budget plus writes over the write budget,
    /// refused requests included) is at least this. Not 1.0 ("at its budget"): a client that backs off on SlowDown, as
    /// the SDKs do, saws between half its budget and all of it — about 0.7 on average — and the decaying rate only
    /// approaches its budget from below, so at 1.0 only a client that ignores the 503s would ever earn a split. S3
    /// scales a prefix for a sustained high request rate, however politely it is asked for.
    /// </summary>
    public const double DefaultHotLoad = 0.6;

    /// <summary>A partition is cold below this load: a tenth of its budget leaves room to take a returning load.</summary>
    public const double DefaultColdLoad = 0.1;

    public TimeSpan HeatSplitDelay { get; init; } = DefaultHeatSplitDelay;

    public TimeSpan MergeColdAfter { get; init; } = DefaultMergeColdAfter;

    /// <summary>Time between policy passes; <see cref="Timeout.InfiniteTimeSpan"/>: no background passes (tests run
    /// them with <see cref="SluiceServer.RunPartitionPolicy"/>).</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    public double HotLoad { get; init; } = DefaultHotLoad;

    public double ColdLoad { get; init; } = DefaultColdLoad;

    /// <summary>The clock rates, delays and the emulation's budgets are measured by (tests move it); null: the system's.</summary>
    public TimeProvider? Clock { get; init; }

    internal void Validate()
    {
        if (HeatSplitDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HeatSplitDelay));
        if (MergeColdAfter < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MergeColdAfter));
        if (Interval != Timeout.InfiniteTimeSpan && Interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Interval));
        if (!(HotLoad > 0) || !(ColdLoad >= 0) || ColdLoad >= HotLoad) throw new ArgumentOutOfRangeException(nameof(HotLoad), "0 <= ColdLoad < HotLoad");
    }
}
