using System.Text;
using Sluice.S3.Auth;

namespace Sluice.ServerBench;

/// <summary>
/// Builds complete request heads, SigV4-signed with Sluice's signer (header auth; UNSIGNED-PAYLOAD), or unsigned
/// for nginx. A signed head stays valid for the verifier's clock skew (15 minutes), so the load generator signs
/// once per connection and measurement and resends the same bytes.
/// </summary>
internal sealed class S3Requests
{
    public const string AccessKey = "sluice", SecretKey = "sluice-dev-secret", Region = "us-east-1";

    private readonly SigV4Signer? _signer;
    private readonly string _host;

    public S3Requests(int port, bool sign)
    {
        _host = $"127.0.0.1:{port}";
        _signer = sign ? new SigV4Signer(AccessKey, SecretKey, Region) : null;
    }

    /// <summary>A presigned URL (query auth) for curl; plain for nginx.</summary>
    public string Url(string path, int expiresSeconds = 3600)
    {
        if (_signer == null) return $"http://{_host}{path}";
        var headers = new SigV4HeaderList();
        headers.Add("host", _host);
        return $"http://{_host}{path}?{_signer.Presign(headers, "GET", path, null, DateTimeOffset.UtcNow, expiresSeconds)}";
    }

    /// <summary>The request's headers, Host first, signed (UNSIGNED-PAYLOAD) when this signs.</summary>
    public SigV4HeaderList Headers(string method, string path, string? query = null, long contentLength = -1)
    {
        var headers = new SigV4HeaderList();
        headers.Add("Host", _host);
        if (contentLength >= 0) headers.Add("Content-Length", contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _signer?.SignHeaders(headers, method, path, query, SigV4PayloadHash.UnsignedPayload, DateTimeOffset.UtcNow);
        return headers;
    }

    /// <summary>The head of a request (and, when <paramref name="body"/> is given, the head followed by it).</summary>
    public byte[] Build(string method, string path, string? query = null, long contentLength = -1, ReadOnlySpan<byte> body = default)
    {
        var headers = Headers(method, path, query, contentLength);
        var text = new StringBuilder();
        text.Append(method).Append(' ').Append(path);
        if (!string.IsNullOrEmpty(query)) text.Append('?').Append(query);
        text.Append(" HTTP/1.1\r\n");
        for (int i = 0; i < headers.Count; i++)
            text.Append(headers.GetNameString(i)).Append(": ").Append(headers.GetValueString(i)).Append("\r\n");
        text.Append("\r\n");
        byte[] head = Encoding.ASCII.GetBytes(text.ToString());
        if (body.IsEmpty) return head;
        byte[] all = new byte[head.Length + body.Length];
        head.CopyTo(all, 0);
        body.CopyTo(all.AsSpan(head.Length));
        return all;
    }
}
