namespace Sluice.Client.Retry;

/// <summary>
/// The adaptive per-prefix request rate. S3 partitions a bucket's keys by prefix and throttles a partition that gets
/// more than its share (503 SlowDown); the client therefore slows the prefix that was throttled, not the whole client.
/// <para>
/// <b>The prefix</b> of a request is its bucket plus the start of its key: with <see cref="Characters"/> &gt; 0, the
/// key's first that many characters (for hash-prefixed keys without a delimiter); otherwise the key up to its
/// <see cref="Depth"/>-th <see cref="Delimiter"/> (exclusive), or up to its last delimiter when it has fewer — so a
/// flat key (no delimiter) falls under the bucket itself, where S3 would also throttle it. The prefix is cut at
/// <see cref="MaxLength"/> characters of key.
/// </para>
/// <para>
/// <b>The rate</b>: a prefix's first throttle gives it a token bucket at <see cref="StartRate"/> × <see cref="Decrease"/>;
/// each further throttle of a request sent after the last cut multiplies the rate by <see cref="Decrease"/> (at least
/// <see cref="MinRate"/>) — answers to requests sent before the cut say nothing about the new rate, so a burst of 503s
/// cuts once, as TCP cuts once per window — and never twice within <see cref="MinCutInterval"/>. Each second without a cut adds
/// <see cref="Increase"/> requests per second, or, with <see cref="Growth"/>, that fraction of the rate;
/// a prefix back at <see cref="StartRate"/> is not limited. At most <see cref="MaxPrefixes"/> prefixes are tracked;
/// beyond that the one throttled longest ago is forgotten.
/// </para>
/// <para>
/// <b>Shared rates</b>: when two different prefixes under one parent (the prefix one segment shorter, or the bucket)
/// are throttled within <see cref="PrefixRateLimiter.SiblingWindow"/>, the parent gets a rate of its own, cut and
/// climbing by the same rules, and every request under it waits for both — one S3 partition often spans many
/// prefixes (all of a new bucket's, or all of a set of hash prefixes), and only a rate they share keeps it under
/// its budget.
/// </para>
/// </summary>
public sealed record PrefixRateOptions
{
    /// <summary>Key segments in a prefix (delimiter mode).</summary>
    public int Depth { get; init; } = 1;

    /// <summary>The segment delimiter.</summary>
    public char Delimiter { get; init; } = '/';

    /// <summary>When above 0: a prefix is the key's first this many characters instead of segments.</summary>
    public int Characters { get; init; }

    /// <summary>Longest key part of a prefix (characters).</summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Prefixes tracked at once.</summary>
    public int MaxPrefixes { get; init; } = 1024;

    /// <summary>The rate a throttled prefix is assumed to have had (requests per second): S3's per-prefix write rate.</summary>
    public double StartRate { get; init; } = 3500;

    /// <summary>The slowest a prefix is made (requests per second).</summary>
    public double MinRate { get; init; } = 1;

    /// <summary>The multiplicative decrease per throttling window.</summary>
    public double Decrease { get; init; } = 0.5;

    /// <summary>The additive increase: requests per second gained per second without throttling (at least).</summary>
    public double Increase { get; init; } = 50;

    /// <summary>
    /// When positive, a cut rate grows by this fraction a second (multiplicatively) instead of by
    /// <see cref="Increase"/>. 0.25 (doubling in about 3 s): S3 raises a partition's capacity by splitting it, doubling
    /// at each split, and the AWS SDKs' adaptive mode (CUBIC) regains a cut within seconds; a fixed +50/s a second
    /// needs 35 s to regain half of S3's 3,500/s, and a rate cut to the floor by a burst of 503s at the start of a run
    /// never caught up with the splits its load earned. Zero: <see cref="Increase"/> only.
    /// </summary>
    public double Growth { get; init; } = 0.25;

    /// <summary>
    /// The least time between two cuts. Half a second, the AWS SDKs' measuring interval: on a busy client the retries
    /// of one burst of 503s arrive bunched, each "sent after the cut", and cut a rate of 1,750/s to 14/s in a second
    /// (measured), which then took most of a 30 s run to regain.
    /// </summary>
    public TimeSpan MinCutInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Requests a limited prefix may send at once after a quiet spell, as seconds of its rate (at least one request).</summary>
    public double BurstSeconds { get; init; } = 0.1;
}
