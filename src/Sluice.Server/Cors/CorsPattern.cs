using System.Text;

namespace Sluice.Server.Cors;

/// <summary>
/// An AllowedOrigin or AllowedHeader value: the text before and after its one <c>*</c> (which stands for any run of
/// characters, none included), or an exact value. Matched against request bytes without allocating.
/// </summary>
internal readonly struct CorsPattern
{
    private readonly byte[] _prefix;
    private readonly byte[] _suffix;
    private readonly bool _wildcard;

    private CorsPattern(byte[] prefix, byte[] suffix, bool wildcard)
    {
        _prefix = prefix;
        _suffix = suffix;
        _wildcard = wildcard;
    }

    /// <summary>The pattern of <paramref name="value"/>; <paramref name="lower"/> for header names, which match
    /// without regard to case.</summary>
    public static CorsPattern Of(string value, bool lower)
    {
        if (lower) value = value.ToLowerInvariant();
        int star = value.IndexOf('*', StringComparison.Ordinal);
        return star < 0
            ? new CorsPattern(Encoding.UTF8.GetBytes(value), [], false)
            : new CorsPattern(Encoding.UTF8.GetBytes(value[..star]), Encoding.UTF8.GetBytes(value[(star + 1)..]), true);
    }

    /// <summary>Case-sensitive match (origins).</summary>
    public bool Matches(ReadOnlySpan<byte> value) => _wildcard
        ? value.Length >= _prefix.Length + _suffix.Length && value.StartsWith(_prefix) && value.EndsWith(_suffix)
        : value.SequenceEqual(_prefix);

    /// <summary>Case-insensitive match (header names; the pattern was lowered when built).</summary>
    public bool MatchesIgnoreCase(ReadOnlySpan<byte> value) => _wildcard
        ? value.Length >= _prefix.Length + _suffix.Length
          && Ascii.EqualsIgnoreCase(value[.._prefix.Length], _prefix)
          && Ascii.EqualsIgnoreCase(value[^_suffix.Length..], _suffix)
        : Ascii.EqualsIgnoreCase(value, _prefix);
}
