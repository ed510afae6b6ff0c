namespace Sluice.S3.Lifecycle;

/// <summary>
/// Which objects a lifecycle rule applies to: a key prefix, tags (all must be on the object), and size bounds
/// (strictly greater / strictly less than, in bytes). Empty: every object. The legacy rule-level <c>Prefix</c>
/// reads into the same place.
/// </summary>
public sealed class LifecycleFilter
{
    public string Prefix { get; set; } = string.Empty;

    public IList<KeyValuePair<string, string>> Tags { get; } = new List<KeyValuePair<string, string>>();

    public long? ObjectSizeGreaterThan { get; set; }

    public long? ObjectSizeLessThan { get; set; }

    /// <summary>Whether the filter was written as <c>And</c> (kept so the document reads back as written).</summary>
    public bool UsesAnd { get; set; }

    /// <summary>Whether the rule used the legacy <c>Prefix</c> element instead of <c>Filter</c>.</summary>
    public bool Legacy { get; set; }

    /// <summary>True when the object (key, size, tags) is one the rule applies to.</summary>
    public bool Matches(string key, long size, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(tags);
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        if ((ObjectSizeGreaterThan is { } above && size <= above) || (ObjectSizeLessThan is { } below && size >= below))
        {
            return false;
        }

        foreach (var (tagKey, tagValue) in Tags)
        {
            bool found = false;
            foreach (var (k, v) in tags)
            {
                if (k == tagKey && v == tagValue)
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}
