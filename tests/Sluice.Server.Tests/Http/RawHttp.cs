using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Http;

/// <summary>
/// A deliberately plain HTTP/1.1 client over a raw socket, independent of Sluice's own codec, so server tests check
/// the bytes on the wire rather than our parser's view of them.
/// </summary>
internal static class RawHttp
{
    /// <summary>Reads one response (head + Content-Length body); bytes past it stay in <paramref name="carry"/>.</summary>
    public static (int Status, string Head, string Body) ReadResponse(Socket s, ref byte[] carry)
    {
        var data = new List<byte>(carry);
        var buf = new byte[65536];
        while (true)
        {
            string text = Encoding.UTF8.GetString(data.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                string head = text[..end];
                var m = Regex.Match(head, @"Content-Length: (\d+)", RegexOptions.IgnoreCase);
                int length = m.Success ? int.Parse(m.Groups[1].Value) : 0;
                int headBytes = Encoding.UTF8.GetByteCount(text[..(end + 4)]);
                if (data.Count >= headBytes + length)
                {
                    string body = Encoding.UTF8.GetString(data.ToArray(), headBytes, length);
                    carry = data.Skip(headBytes + length).ToArray();
                    return (int.Parse(head.Split(' ')[1]), head, body);
                }
            }
            int n = s.Receive(buf);
            if (n == 0) throw new EndOfStreamException("server closed before a full response: " + text);
            data.AddRange(buf.AsSpan(0, n).ToArray());
        }
    }

    public static (int Status, string Head, string Body) ReadResponse(Socket s)
    {
        byte[] carry = [];
        return ReadResponse(s, ref carry);
    }
}
