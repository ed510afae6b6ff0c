namespace Sluice.Cli.Bench;

/// <summary>
/// An object size: fixed ("4KiB") or a range ("4KiB..16MiB") from which each upload draws its size at random,
/// log-uniformly, so every doubling of size gets as many objects (warp's --obj.randsize idea): a range spanning
/// 4 KiB to 16 MiB gives as many objects under 64 KiB as over 1 MiB.
/// </summary>
public readonly record struct SizeSpec(long Min, long Max)
{
    /// <summary>The largest size taken, as `--size` caps it.</summary>
    public const long Limit = 1L << 30;

    /// <summary>A fixed size.</summary>
    public static SizeSpec Fixed(long size) => new(size, size);

    /// <summary>True for a range of sizes.</summary>
    public bool IsRange => Max != Min;

    /// <summary>"4KiB" or "4KiB..16MiB".</summary>
    public string Label => IsRange ? $"{Units.FormatSize(Min)}..{Units.FormatSize(Max)}" : Units.FormatSize(Min);

    /// <summary>Exact bytes, "4096" or "4096..16777216" (parses back to the same spec; labels round).</summary>
    public override string ToString() => IsRange
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Min}..{Max}")
        : Min.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The expected size of an object: for a log-uniform range, (max − min) / ln(max / min).</summary>
    public double Mean => IsRange ? (Max - Min) / Math.Log((double)Max / Min) : Min;

    /// <summary>The next object's size.</summary>
    public long Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!IsRange) return Min;
        double log = Math.Log(Min) + random.NextDouble() * (Math.Log(Max) - Math.Log(Min));
        return Math.Clamp((long)Math.Round(Math.Exp(log)), Min, Max);
    }

    /// <summary>Parses "4KiB", "1MB" or "4KiB..16MiB" (each 1 B to 1 GiB, the range's low end below its high end).</summary>
    public static bool TryParse(string? text, out SizeSpec spec)
    {
        spec = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        int dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0)
        {
            if (!Units.TryParseSize(text, out long n) || n < 1 || n > Limit) return false;
            spec = Fixed(n);
            return true;
        }
        if (!Units.TryParseSize(text[..dots], out long lo) || !Units.TryParseSize(text[(dots + 2)..], out long hi)
            || lo < 1 || hi > Limit || lo >= hi)
            return false;
        spec = new SizeSpec(lo, hi);
        return true;
    }
}
