using System.Net;
using System.Security.Cryptography;
using Sluice.S3.Auth;

namespace Sluice.Client.Tests.Placement;

/// <summary>Raw SigV4-signed requests over HttpClient, to send tokens the client library would never make.</summary>
internal static class SignedRequests
{
    public sealed record Answer(int Status, Dictionary<string, string> Headers, byte[] Body, long? ContentLength)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

        public string? ErrorCode => System.Text.RegularExpressions.Regex.Match(System.Text.Encoding.UTF8.GetString(Body),
            "<Code>([^<]*)</Code>") is { Success: true } m ? m.Groups[1].Value : null;
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> with <paramref name="signed"/> headers signed
    /// and <paramref name="unsigned"/> ones added after signing.</summary>
    public static async Task<Answer> SendAsync(Uri endpoint, string method, string path, (string, string)[] signed,
        (string, string)[]? unsigned = null, byte[]? body = null)
    {
        body ??= [];
        var list = new SigV4HeaderList();
        list.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        foreach (var (n, v) in signed) list.Add(n, v);
        new SigV4Signer(PlacementTestServer.AccessKey, PlacementTestServer.Secret, "us-east-1")
            .SignHeaders(list, method, path, null, Convert.ToHexStringLower(SHA256.HashData(body)), DateTimeOffset.UtcNow);
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(endpoint, path)) { Version = HttpVersion.Version11 };
        if (method is "PUT") request.Content = new ByteArrayContent(body);
        for (int i = 0; i < list.Count; i++)
        {
            string name = list.GetNameString(i);
            if (!name.Equals("host", StringComparison.OrdinalIgnoreCase)) request.Headers.TryAddWithoutValidation(name, list.GetValueString(i));
        }
        foreach (var (n, v) in unsigned ?? []) request.Headers.TryAddWithoutValidation(n, v);
        using var response = await http.SendAsync(request);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in response.Headers.Concat(response.Content.Headers)) headers[h.Key] = string.Join(",", h.Value);
        return new Answer((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentLength);
    }
}
