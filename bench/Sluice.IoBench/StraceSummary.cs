using System.Globalization;

namespace Sluice.IoBench;

/// <summary>
/// Calls per system call from a `strace -c` summary file. Two runs that differ only in how many requests they make
/// are subtracted, so process start, connection setup and teardown cancel and what remains is the cost per request.
/// </summary>
internal sealed class StraceSummary
{
    private StraceSummary(Dictionary<string, long> calls) => Calls = calls;

    public Dictionary<string, long> Calls { get; }

    public long Total => Calls.Values.Sum();

    /// <summary>
    /// Parses the table: "% time seconds usecs/call calls [errors] syscall" rows between dashed rules; the
    /// "total" row is skipped (the rows are summed instead).
    /// </summary>
    public static StraceSummary Parse(string path)
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string raw in File.ReadLines(path))
        {
            string[] t = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // A data row: 4 numbers (no errors) or 5 (with errors), then the name.
            if (t.Length is not (5 or 6) || t[^1] == "total") continue;
            if (!double.TryParse(t[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) continue;
            if (!long.TryParse(t[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) continue;
            calls[t[^1]] = calls.GetValueOrDefault(t[^1]) + n;
        }
        if (calls.Count == 0) throw new InvalidDataException($"{path} holds no strace -c summary");
        return new StraceSummary(calls);
    }

    /// <summary>Calls per request between a small and a large run.</summary>
    public static StraceSummary PerRequest(StraceSummary small, StraceSummary large, long requestDifference)
    {
        var per = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, n) in large.Calls) per[name] = n - small.Calls.GetValueOrDefault(name);
        return new StraceSummary(per) { RequestDifference = requestDifference };
    }

    public long RequestDifference { get; private init; } = 1;

    public double PerRequestOf(long calls) => (double)calls / RequestDifference;
}
