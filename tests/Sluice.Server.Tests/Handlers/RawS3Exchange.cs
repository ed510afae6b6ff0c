using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;

namespace Sluice.Server.Tests.Handlers;

/// <summary>One response as bytes: header values are the octets the server sent, not a decoding of them.</summary>
internal sealed record RawS3Response(int Status, List<(string Name, byte[] Value)> Headers, byte[] Body)
{
    public byte[]? Header(string name) =>
        Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A SigV4-signed request over a raw socket with header values given as bytes, so a test controls (and sees) every
/// octet on the wire; HttpClient would re-encode them.
/// </summary>
internal static class RawS3Exchange
{
    public static async Task<RawS3Response> SendAsync(TestServer t, string method, string path, string? query,
        IEnumerable<(string Name, byte[] Value)> headers, byte[]? body = null)
    {
        body ??= [];
        var endpoint = t.Endpoint; // cleartext HTTP/1.1 fronts: io_uring, or Kestrel's listener
        var list = new SigV4HeaderList();
        list.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        foreach (var (name, value) in headers) list.Add(Encoding.ASCII.GetBytes(name), value);
        new SigV4Signer(TestServer.AccessKey, TestServer.Secret, S3TestClient.Region)
            .SignHeaders(list, method, path, query, Convert.ToHexStringLower(SHA256.HashData(body)), DateTimeOffset.UtcNow);

        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes($"{method} {path}{(query != null ? "?" + query : "")} HTTP/1.1\r\n"));
        for (int i = 0; i < list.Count; i++)
        {
            request.Write(list.GetName(i));
            request.Write(": "u8);
            request.Write(list.GetValue(i));
            request.Write("\r\n"u8);
        }
        request.Write(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        request.Write(body);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint.Host, endpoint.Port);
        await socket.SendAsync(request.ToArray());
        // Connection: close, so the response is everything until the server closes.
        var received = new MemoryStream();
        var buffer = new byte[65536];
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0) received.Write(buffer, 0, n);
        return Parse(received.ToArray(), head: method == "HEAD");
    }

    private static RawS3Response Parse(byte[] data, bool head)
    {
        int end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) throw new InvalidDataException("no complete response head: " + Encoding.Latin1.GetString(data));
        string[] lines = Encoding.Latin1.GetString(data, 0, end).Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new List<(string, byte[])>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add((line[..colon], Encoding.Latin1.GetBytes(line[(colon + 1)..].Trim(' ', '\t')))); // Latin-1: one char per octet
        }
        byte[] body = head ? [] : data.AsSpan(end + 4).ToArray();
        return new RawS3Response(status, headers, body);
    }
}
