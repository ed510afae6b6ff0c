using System.Globalization;

namespace Sluice.ClientBench;

/// <summary>
/// The lines every client runner prints: "@result phase=get seconds=S cpu=S bytes=N ..." (one per phase, measured
/// inside the runner) and, from the measuring wrapper, "@rusage wall=S user=S sys=S maxrss_kib=N exit=N" (the whole
/// process, from wait4). Plain text, so a run can be checked by eye.
/// </summary>
internal static class ResultLine
{
    public const string ResultPrefix = "@result";
    public const string RusagePrefix = "@rusage";

    /// <summary>Fields of a line with the given prefix, or null.</summary>
    public static Dictionary<string, string>? Parse(string line, string prefix)
    {
        if (!line.StartsWith(prefix + " ", StringComparison.Ordinal)) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in line[(prefix.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) fields[part[..eq]] = part[(eq + 1)..];
        }
        return fields;
    }

    public static double Number(this IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"result line has no '{key}'");

    public static double? OptionalNumber(this IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture) : null;

    public static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
