using System.Security.Cryptography;
using Sluice.S3.Auth;

namespace Sluice.Server.Tests.Handlers;

/// <summary>Presigned GET and PUT URLs (query-string SigV4) through the handlers, and expired ones refused.</summary>
public class PresignedUrlTests
{
    private static Uri Presign(TestServer t, string method, string path, DateTimeOffset time, int expires)
    {
        var endpoint = t.Server.Endpoint;
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        string query = new SigV4Signer(TestServer.AccessKey, TestServer.Secret, S3TestClient.Region)
            .Presign(headers, method, path, null, time, expires);
        return new Uri($"http://{endpoint.Host}:{endpoint.Port}{path}?{query}");
    }

    [Fact]
    public async Task Presigned_put_and_get_work_and_expired_urls_are_refused()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/presign")).Status);
        var body = RandomNumberGenerator.GetBytes(10_000);
        using var http = new HttpClient();

        using (var content = new ByteArrayContent(body))
        using (var put = await http.PutAsync(Presign(t, "PUT", "/presign/obj", DateTimeOffset.UtcNow, 300), content))
            Assert.Equal(200, (int)put.StatusCode);
        using (var get = await http.GetAsync(Presign(t, "GET", "/presign/obj", DateTimeOffset.UtcNow, 300)))
        {
            Assert.Equal(200, (int)get.StatusCode);
            Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        }
        using (var expired = await http.GetAsync(Presign(t, "GET", "/presign/obj", DateTimeOffset.UtcNow.AddHours(-2), 60)))
        {
            Assert.Equal(403, (int)expired.StatusCode);
            Assert.Contains("AccessDenied", await expired.Content.ReadAsStringAsync());
        }
    }
}
