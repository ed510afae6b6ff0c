namespace Sluice.Client.Model;

/// <summary>HTTP preconditions of a read or write (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since).</summary>
public sealed record ObjectConditions
{
    public string? IfMatch { get; init; }

    /// <summary>On a write, "*" makes it create-only (412 PreconditionFailed when the key exists).</summary>
    public string? IfNoneMatch { get; init; }

    public DateTimeOffset? IfModifiedSince { get; init; }

    public DateTimeOffset? IfUnmodifiedSince { get; init; }

    internal void AddTo(List<KeyValuePair<string, string>> headers, string prefix)
    {
        if (IfMatch is not null)
        {
            headers.Add(new(prefix + "if-match", IfMatch));
        }

        if (IfNoneMatch is not null)
        {
            headers.Add(new(prefix + "if-none-match", IfNoneMatch));
        }

        if (IfModifiedSince is { } modified)
        {
            headers.Add(new(prefix + "if-modified-since", modified.ToUniversalTime().ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (IfUnmodifiedSince is { } unmodified)
        {
            headers.Add(new(prefix + "if-unmodified-since", unmodified.ToUniversalTime().ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
