using System.Text;
using Sluice.Server.Exchange;

namespace Sluice.Server.Cors;

/// <summary>
/// The Access-Control-* headers a request gets once a rule matched it: Allow-Origin (the request's origin, or <c>*</c>
/// for a rule allowing any, then without Allow-Credentials), Allow-Methods, Allow-Headers (the names asked for,
/// lowercase), Expose-Headers, Max-Age and Vary, as S3 sends them. One per connection (kept in the request context),
/// reused: the origin and header names are copied into buffers owned here, so they outlive the request head's buffer
/// and answering allocates nothing once the buffers have grown to the requests' sizes.
/// </summary>
internal sealed class CorsResponse : IScopedResponseHeaders
{
    private static ReadOnlySpan<byte> AllowOrigin => "Access-Control-Allow-Origin"u8;
    private static ReadOnlySpan<byte> AllowCredentials => "Access-Control-Allow-Credentials"u8;
    private static ReadOnlySpan<byte> AllowMethods => "Access-Control-Allow-Methods"u8;
    private static ReadOnlySpan<byte> AllowHeaders => "Access-Control-Allow-Headers"u8;
    private static ReadOnlySpan<byte> ExposeHeaders => "Access-Control-Expose-Headers"u8;
    private static ReadOnlySpan<byte> MaxAge => "Access-Control-Max-Age"u8;
    private static ReadOnlySpan<byte> Vary => "Vary"u8;
    private static ReadOnlySpan<byte> VaryValue => "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"u8;

    private CorsPolicyRule? _rule;
    private byte[] _origin = new byte[128];
    private int _originLength;
    private byte[] _headers = new byte[128];
    private int _headersLength;

    /// <summary>Remembers the matched rule, the request's origin and the requested header names (lowercased,
    /// joined by ", ").</summary>
    public void Set(CorsPolicyRule rule, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> requestHeaders)
    {
        _rule = rule;
        if (_origin.Length < origin.Length) _origin = new byte[origin.Length];
        origin.CopyTo(_origin);
        _originLength = origin.Length;
        _headersLength = 0;
        if (_headers.Length < requestHeaders.Length * 2) _headers = new byte[requestHeaders.Length * 2];
        foreach (var range in requestHeaders.Split((byte)','))
        {
            var name = requestHeaders[range].Trim(" \t"u8);
            if (name.IsEmpty) continue;
            if (_headersLength > 0)
            {
                ", "u8.CopyTo(_headers.AsSpan(_headersLength));
                _headersLength += 2;
            }
            Ascii.ToLower(name, _headers.AsSpan(_headersLength), out int written);
            _headersLength += written;
        }
    }

    public void AddTo(S3Exchange exchange)
    {
        var rule = _rule;
        if (rule == null) return;
        if (rule.AnyOrigin)
        {
            exchange.AddHeader(AllowOrigin, "*"u8);
        }
        else
        {
            exchange.AddHeader(AllowOrigin, _origin.AsSpan(0, _originLength));
            exchange.AddHeader(AllowCredentials, "true"u8);
        }
        exchange.AddHeader(AllowMethods, rule.AllowMethods);
        if (_headersLength > 0) exchange.AddHeader(AllowHeaders, _headers.AsSpan(0, _headersLength));
        if (rule.ExposeHeaders is { } expose) exchange.AddHeader(ExposeHeaders, expose);
        if (rule.MaxAge is { } maxAge) exchange.AddHeader(MaxAge, maxAge);
        exchange.AddHeader(Vary, VaryValue);
    }
}
