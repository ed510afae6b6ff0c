using System.Globalization;
using System.Text;

namespace Sluice.IoBench;

/// <summary>
/// The one line a child process prints per measurement: "@result key=value ..." with escaped values, which the
/// parent parses back. Text, so a run can also be read (and its numbers checked) by eye.
/// </summary>
internal sealed class ResultLine
{
    public const string Prefix = "@result";

    private readonly List<KeyValuePair<string, string>> _fields = [];

    public void Add(string key, string value) => _fields.Add(new(key, value));
    public void Add(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture));
    public void Add(string key, double value) => Add(key, value.ToString("R", CultureInfo.InvariantCulture));

    public override string ToString()
    {
        var sb = new StringBuilder(Prefix);
        foreach (var (k, v) in _fields) sb.Append(' ').Append(k).Append('=').Append(Uri.EscapeDataString(v));
        return sb.ToString();
    }

    /// <summary>Parses a line printed by <see cref="ToString"/>; null if it is not a result line.</summary>
    public static Dictionary<string, string>? Parse(string line)
    {
        if (!line.StartsWith(Prefix + " ", StringComparison.Ordinal)) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in line[(Prefix.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            fields[part[..eq]] = Uri.UnescapeDataString(part[(eq + 1)..]);
        }
        return fields;
    }
}
