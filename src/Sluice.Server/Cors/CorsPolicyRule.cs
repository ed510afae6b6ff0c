using System.Globalization;
using System.Text;
using Sluice.S3.Cors;

namespace Sluice.Server.Cors;

/// <summary>
/// One <see cref="CorsRule"/> made ready for matching: origins and allowed headers as patterns, methods as bits, and
/// the response header values it answers with (Access-Control-Allow-Methods, -Expose-Headers, -Max-Age) encoded once.
/// Immutable.
/// </summary>
internal sealed class CorsPolicyRule
{
    private readonly CorsPattern[] _origins;
    private readonly CorsPattern[] _headers;
    private readonly byte _methods;

    public CorsPolicyRule(CorsRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        _origins = [.. rule.AllowedOrigins.Select(o => CorsPattern.Of(o, lower: false))];
        _headers = [.. rule.AllowedHeaders.Select(h => CorsPattern.Of(h, lower: true))];
        foreach (string method in rule.AllowedMethods) _methods |= CorsMethods.Of(Encoding.ASCII.GetBytes(method));
        // S3 answers "*" (and no Allow-Credentials) when the rule allows any origin, the request's origin otherwise.
        AnyOrigin = rule.AllowedOrigins.Contains("*");
        AllowMethods = Encoding.ASCII.GetBytes(string.Join(", ", rule.AllowedMethods));
        ExposeHeaders = rule.ExposeHeaders.Count > 0 ? Encoding.UTF8.GetBytes(string.Join(", ", rule.ExposeHeaders)) : null;
        MaxAge = rule.MaxAgeSeconds is { } age ? Encoding.ASCII.GetBytes(age.ToString(CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>The rule allows every origin (<c>*</c> among its origins).</summary>
    public bool AnyOrigin { get; }

    /// <summary>Access-Control-Allow-Methods: the rule's methods, in order, joined by ", ".</summary>
    public byte[] AllowMethods { get; }

    /// <summary>Access-Control-Expose-Headers, or null when the rule has none.</summary>
    public byte[]? ExposeHeaders { get; }

    /// <summary>Access-Control-Max-Age, or null when the rule sets none.</summary>
    public byte[]? MaxAge { get; }

    /// <summary>
    /// True when the rule allows <paramref name="origin"/>, the method bit <paramref name="method"/> and every name in
    /// <paramref name="requestHeaders"/> (a comma-separated Access-Control-Request-Headers value; empty: none asked).
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> origin, byte method, ReadOnlySpan<byte> requestHeaders)
    {
        if ((_methods & method) == 0) return false;
        bool originAllowed = false;
        foreach (var pattern in _origins)
        {
            if (pattern.Matches(origin))
            {
                originAllowed = true;
                break;
            }
        }
        if (!originAllowed) return false;
        foreach (var range in requestHeaders.Split((byte)','))
        {
            var name = requestHeaders[range].Trim(" \t"u8);
            if (name.IsEmpty) continue; // RFC 9110 §5.6.1: empty list elements are ignored
            bool allowed = false;
            foreach (var pattern in _headers)
            {
                if (pattern.MatchesIgnoreCase(name))
                {
                    allowed = true;
                    break;
                }
            }
            if (!allowed) return false; // a rule without AllowedHeader allows no requested header
        }
        return true;
    }
}
