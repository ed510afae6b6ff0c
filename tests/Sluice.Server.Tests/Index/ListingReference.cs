using System.Text;
using Sluice.Server.Index;

namespace Sluice.Server.Tests.Index;

/// <summary>
/// S3 listing written the slow, obvious way, straight from the documented rules, to check the index against:
/// take every key with the prefix in UTF-8 byte order, replace each by its common prefix when the delimiter
/// occurs after the prefix, drop repeats, keep what sorts after the marker, cut at max-keys.
/// </summary>
internal static class ListingReference
{
    public static (List<(string Item, bool IsPrefix)> Items, bool Truncated) List(IEnumerable<string> keys, string prefix, string delimiter, string after, int maxKeys)
    {
        List<(string Item, bool IsPrefix)> all = Full(keys, prefix, delimiter)
            .Where(r => string.IsNullOrEmpty(after) || CompareUtf8(r.Item, after) > 0)
            .ToList();
        if (maxKeys == 0)
        {
            return ([], false);
        }

        return (all.Take(maxKeys).ToList(), all.Count > maxKeys);
    }

    public static List<(string Item, bool IsPrefix)> Full(IEnumerable<string> keys, string prefix, string delimiter)
    {
        var results = new List<(string, bool)>();
        foreach (string key in keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(k => k, Utf8Order.Instance))
        {
            int at = delimiter.Length == 0 ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            (string, bool) result = at < 0 ? (key, false) : (key[..(at + delimiter.Length)], true);
            if (results.Count == 0 || results[^1] != result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    public static int CompareUtf8(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) => CompareUtf8(x!, y!);
    }
}
