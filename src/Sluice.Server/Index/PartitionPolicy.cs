namespace Sluice.Server.Index;

/// <summary>
/// The partition policy's decisions for one bucket index per tick: fold the counters into rates, split a partition
/// that stayed hot for <see cref="PartitionPolicySettings.HeatSplitDelay"/> at the key where its load divides, and
/// merge neighbours that stayed cold for <see cref="PartitionPolicySettings.MergeColdAfter"/> and together hold few keys.
/// </summary>
internal sealed class PartitionPolicy
{
    private readonly PartitionPolicySettings _settings;
    private readonly S3LimitsProfile _budget;
    private readonly TimeProvider _clock;

    /// <param name="budget">What a partition takes: the emulation's budget, or AWS's rates when it is off (a range
    /// busier than one S3 partition is hot either way).</param>
    public PartitionPolicy(PartitionPolicySettings settings, S3LimitsProfile budget)
    {
        settings.Validate();
        _settings = settings;
        _budget = budget;
        _clock = settings.Clock ?? TimeProvider.System;
    }

    /// <summary>Splits and merges made so far (all buckets).</summary>
    public long HeatSplits { get; private set; }

    public long ColdMerges { get; private set; }

    /// <summary>One tick over one index. Callers serialise ticks (the heat's fold is single-threaded).</summary>
    public void Apply(BucketIndex index)
    {
        long now = _clock.GetTimestamp();
        long frequency = _clock.TimestampFrequency;
        long splitAfter = (long)(_settings.HeatSplitDelay.TotalSeconds * frequency);
        long mergeAfter = (long)(_settings.MergeColdAfter.TotalSeconds * frequency);
        KeyPartition[] map = index.FoldHeat(now, frequency);
        var splits = new List<(byte[] Low, byte[] At)>();
        var cold = new bool[map.Length];
        for (int i = 0; i < map.Length; i++)
        {
            KeyPartition partition = map[i];
            PartitionHeat heat = partition.Heat;
            double load = (heat.ReadRate / _budget.ReadsPerSecond) + (heat.WriteRate / _budget.WritesPerSecond);
            if (load >= _settings.HotLoad)
            {
                heat.ColdSince = 0;
                if (heat.HotSince == 0)
                {
                    heat.HotSince = now;
                }
                else if (now - heat.HotSince >= splitAfter && ChooseSplitKey(partition) is { } at)
                {
                    splits.Add((partition.LowKey, at));
                }

                continue;
            }

            heat.HotSince = 0;
            if (load < _settings.ColdLoad)
            {
                if (heat.ColdSince == 0) heat.ColdSince = now;
                cold[i] = now - heat.ColdSince >= mergeAfter;
            }
            else
            {
                heat.ColdSince = 0;
            }
        }

        try
        {
            foreach ((byte[] low, byte[] at) in splits)
            {
                if (index.TrySplitAt(low, at)) HeatSplits++;
            }

            // Cold neighbours whose keys fit in half a partition merge (half: a few writes must not split them again).
            for (int i = 1; i < map.Length && splits.Count == 0; i++)
            {
                if (cold[i - 1] && cold[i] && map[i - 1].Data.Count + map[i].Data.Count <= index.SplitKeyCount / 2 && index.TryMergeAt(map[i].LowKey))
                {
                    ColdMerges++;
                    break; // the map changed: the next tick looks again
                }
            }
        }
        catch (IndexReadOnlyException)
        {
            // The journal cannot take the change now; the index serves on, and a later tick tries again.
        }
    }

    /// <summary>
    /// Where the partition's load divides: the median of its recently sampled request keys that lie strictly inside
    /// its range; without such a sample, its middle key. Null when no key would leave both halves non-trivial.
    /// </summary>
    internal static byte[]? ChooseSplitKey(KeyPartition partition)
    {
        List<byte[]> inside = partition.Heat.SampledKeys().FindAll(k =>
            k.AsSpan().SequenceCompareTo(partition.LowKey) > 0
            && (partition.HighKey is null || k.AsSpan().SequenceCompareTo(partition.HighKey) < 0));
        if (inside.Count > 0)
        {
            inside.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
            return inside[inside.Count / 2];
        }

        PartitionData data = partition.Data;
        return data.Count >= 2 ? data.Split().SplitKey : null;
    }

    /// <summary>The share of <paramref name="sampled"/> keys below <paramref name="boundary"/>; one half without a sample.</summary>
    internal static double ShareBelow(List<byte[]> sampled, byte[] boundary)
    {
        if (sampled.Count == 0) return 0.5;
        int below = 0;
        foreach (byte[] key in sampled)
        {
            if (key.AsSpan().SequenceCompareTo(boundary) < 0) below++;
        }

        return below / (double)sampled.Count;
    }
}
