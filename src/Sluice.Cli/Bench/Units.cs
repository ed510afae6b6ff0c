using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>Human sizes and durations as the command line shows and accepts them (binary units: 4KiB, 1.5GiB).</summary>
public static class Units
{
    private static readonly string[] SizeSuffixes = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>1536 → "1.5KiB"; exact multiples print without decimals ("4KiB").</summary>
    public static string FormatSize(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < SizeSuffixes.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        string number = value == Math.Floor(value) ? value.ToString("F0", CultureInfo.InvariantCulture)
            : value.ToString(value < 10 ? "0.##" : "0.#", CultureInfo.InvariantCulture);
        return number + SizeSuffixes[unit];
    }

    /// <summary>
    /// Parses "4096", "4KiB", "4k", "1.5MiB", "2MB" (decimal), "1g": binary units for K/M/G/T and KiB/MiB/GiB/TiB,
    /// decimal for kB/MB/GB/TB. False for anything else, negative, or past 2^62 bytes.
    /// </summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string t = text.Trim();
        int split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.')) split++;
        if (split == 0 || !double.TryParse(t.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            return false;
        double multiplier = t[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KI" or "KIB" => 1L << 10,
            "M" or "MI" or "MIB" => 1L << 20,
            "G" or "GI" or "GIB" => 1L << 30,
            "T" or "TI" or "TIB" => 1L << 40,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            _ => -1,
        };
        if (multiplier < 0) return false;
        double value = Math.Round(number * multiplier);
        if (value < 0 || value > (double)(1L << 62)) return false;
        bytes = (long)value;
        return true;
    }

    /// <summary>Duration suffixes, "ms" before "s" and "m" (tried in order), in seconds.</summary>
    private static readonly (string Suffix, double Seconds)[] ClockUnits = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    /// <summary>The clock units and the calendar ones an age takes (case-sensitive: M is 30 days, m a minute).</summary>
    private static readonly (string Suffix, double Seconds)[] AgeUnits =
        [.. ClockUnits, ("d", 86400), ("w", 7 * 86400), ("M", 30 * 86400), ("y", 365 * 86400)];

    /// <summary>The longest age taken: 200 years.</summary>
    private const double MaxAgeSeconds = 200 * 365 * 86400.0;

    /// <summary>Parses "30s", "2m", "1.5h", "500ms" or a bare number of seconds. False for anything else or ≤ 0.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        // A huge number overflows TimeSpan: not a duration.
        if (!TryParseSeconds(text.Trim().ToLowerInvariant(), ClockUnits, out double seconds) || !(seconds > 0)
            || !(seconds < TimeSpan.MaxValue.TotalSeconds / 2))
            return false;
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>
    /// An age as rclone takes it, as the moment it names: a duration back from <paramref name="now"/> (ms, s, m, h, d,
    /// w, M = 30 days, y = 365 days; a bare number is seconds) or an absolute date or time (UTC unless it says).
    /// </summary>
    public static bool TryParseAge(string text, DateTimeOffset now, out DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);
        at = default;
        string t = text.Trim();
        if (t.Length >= 10 && char.IsAsciiDigit(t[0]) && t[4] == '-')
            return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
        if (!TryParseSeconds(t, AgeUnits, out double seconds) || !(seconds < MaxAgeSeconds)) return false;
        at = now - TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>
    /// A number with one of <paramref name="units"/>' suffixes (none: seconds), in seconds; false unless the number is
    /// ≥ 0 ("NaN" parses whatever the styles say, and fails here).
    /// </summary>
    private static bool TryParseSeconds(string text, (string Suffix, double Seconds)[] units, out double seconds)
    {
        seconds = 0;
        string number = text;
        double scale = 1;
        foreach (var (suffix, unit) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            number = text[..^suffix.Length];
            scale = unit;
            break;
        }
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value >= 0))
            return false;
        seconds = value * scale;
        return true;
    }
}
