using Sluice.S3.Cors;

namespace Sluice.Server.Cors;

/// <summary>A bucket's CORS rules made ready for matching (<see cref="CorsPolicyRule"/>): the first rule that matches wins,
/// as on S3. Immutable; shared by every request to the bucket.</summary>
internal sealed class CorsPolicy
{
    private readonly CorsPolicyRule[] _rules;

    public CorsPolicy(CorsConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _rules = [.. configuration.Rules.Select(r => new CorsPolicyRule(r))];
    }

    /// <summary>The first rule allowing the origin, method bit and requested headers; null when none does.</summary>
    public CorsPolicyRule? Match(ReadOnlySpan<byte> origin, byte method, ReadOnlySpan<byte> requestHeaders)
    {
        if (method == 0) return null;
        foreach (var rule in _rules)
        {
            if (rule.Matches(origin, method, requestHeaders)) return rule;
        }
        return null;
    }

    /// <summary>The policy of a stored configuration document; null when there is none (or it no longer reads).</summary>
    public static CorsPolicy? Of(byte[]? document)
    {
        if (document == null) return null;
        var read = CorsConfiguration.Read(document);
        return read.IsSuccess && read.Value!.Rules.Count > 0 ? new CorsPolicy(read.Value) : null;
    }
}
