using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using Sluice.S3.Naming;

namespace Sluice.Client.Tests.Listing;

/// <summary>
/// A small real HTTP/1.1 server on 127.0.0.1 answering ListObjectsV2 over a fixed key set the way some S3 look-alikes
/// do: it pages with continuation tokens, honours prefix, delimiter and max-keys, but ignores start-after, so every
/// listing starts at the prefix's first key. Optionally answers 403 AccessDenied to listings whose start-after is a
/// given key, so a failing range can be scripted. It does not check signatures (the client signs as usual).
/// </summary>
internal sealed class StartAfterIgnoringServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string[] _keys;
    private readonly string? _denyStartAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;
    private int _listings;
    private int _startAfters;

    public StartAfterIgnoringServer(IEnumerable<string> keys, string? denyStartAfter = null)
    {
        _keys = keys.Order(S3KeyComparer.Instance).ToArray();
        _denyStartAfter = denyStartAfter;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>ListObjectsV2 requests answered.</summary>
    public int Listings => Volatile.Read(ref _listings);

    /// <summary>Of them, those that asked for start-after (and had it ignored).</summary>
    public int StartAfters => Volatile.Read(ref _startAfters);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[8192];
                var pending = new List<byte>();
                while (true)
                {
                    int end;
                    while ((end = IndexOfHeadEnd(pending)) < 0)
                    {
                        int n = await stream.ReadAsync(buffer, _stop.Token);
                        if (n == 0)
                        {
                            return;
                        }

                        pending.AddRange(buffer.AsSpan(0, n));
                    }

                    string text = Encoding.ASCII.GetString(pending.GetRange(0, end).ToArray());
                    pending.RemoveRange(0, end + 4);
                    string target = text.Split("\r\n")[0].Split(' ')[1];
                    byte[] response = Answer(target);
                    await stream.WriteAsync(response, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (int i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private byte[] Answer(string target)
    {
        int q = target.IndexOf('?', StringComparison.Ordinal);
        var query = new Dictionary<string, string>();
        if (q >= 0)
        {
            foreach (string pair in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                query[Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq])] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        if (!query.TryGetValue("list-type", out string? type) || type != "2")
        {
            return Response(501, "<Error><Code>NotImplemented</Code><Message>only ListObjectsV2</Message></Error>");
        }

        Interlocked.Increment(ref _listings);
        if (query.TryGetValue("start-after", out string? startAfter))
        {
            Interlocked.Increment(ref _startAfters);
            if (startAfter == _denyStartAfter)
            {
                return Response(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
            }
        }

        string prefix = query.GetValueOrDefault("prefix", "");
        string? delimiter = query.GetValueOrDefault("delimiter");
        int maxKeys = query.TryGetValue("max-keys", out string? mk) ? Math.Min(1000, int.Parse(mk, CultureInfo.InvariantCulture)) : 1000;
        int position = query.TryGetValue("continuation-token", out string? token) ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
        var contents = new List<string>();
        var prefixes = new List<string>();
        int i = position;
        for (; i < _keys.Length && contents.Count + prefixes.Count < maxKeys; i++)
        {
            string key = _keys[i];
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            int cut = string.IsNullOrEmpty(delimiter) ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            if (cut < 0)
            {
                contents.Add(key);
                continue;
            }

            string common = key[..(cut + delimiter!.Length)];
            prefixes.Add(common);
            while (i + 1 < _keys.Length && _keys[i + 1].StartsWith(common, StringComparison.Ordinal))
            {
                i++;
            }
        }

        bool truncated = _keys.Skip(i).Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        xml.Append("<Name>b</Name><Prefix>").Append(Uri.EscapeDataString(prefix)).Append("</Prefix>");
        xml.Append(CultureInfo.InvariantCulture, $"<KeyCount>{contents.Count + prefixes.Count}</KeyCount><MaxKeys>{maxKeys}</MaxKeys>");
        xml.Append("<EncodingType>url</EncodingType>");
        xml.Append("<IsTruncated>").Append(truncated ? "true" : "false").Append("</IsTruncated>");
        if (truncated)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<NextContinuationToken>{i}</NextContinuationToken>");
        }

        foreach (string key in contents)
        {
            xml.Append("<Contents><Key>").Append(SecurityElement.Escape(Uri.EscapeDataString(key)))
                .Append("</Key><LastModified>2026-12-08T00:00:00.000Z</LastModified><ETag>\"d41d8cd98f00b204e9800998ecf8427e\"</ETag>")
                .Append("<Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>");
        }

        foreach (string common in prefixes)
        {
            xml.Append("<CommonPrefixes><Prefix>").Append(SecurityElement.Escape(Uri.EscapeDataString(common))).Append("</Prefix></CommonPrefixes>");
        }

        xml.Append("</ListBucketResult>");
        return Response(200, xml.ToString());
    }

    private static byte[] Response(int status, string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string reason = status switch { 200 => "OK", 403 => "Forbidden", _ => "Not Implemented" };
        string head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {bytes.Length}\r\n" +
            "x-amz-request-id: 0000000000000000\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. bytes];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open);
        _stop.Dispose();
    }
}
