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

    /// <summary>Parses "30s", "2m", "1.5h", "500ms" or a bare number of seconds. False for anything else or ≤ 0.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string t = text.Trim().ToLowerInvariant();
        (string number, double scale) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1)
            : t.EndsWith('m') ? (t[..^1], 60)
            : t.EndsWith('h') ? (t[..^1], 3600)
            : (t, 1);
        // "NaN" and "Infinity" parse whatever the styles say, and a huge number overflows TimeSpan: both are not durations.
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value > 0)
            || !(value * scale < TimeSpan.MaxValue.TotalSeconds / 2))
            return false;
        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
