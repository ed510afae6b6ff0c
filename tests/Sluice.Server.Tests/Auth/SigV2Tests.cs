using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Auth;

/// <summary>
/// Signature Version 2 over real HTTP, through every front × store: the Authorization header (path style and virtual
/// hosted, sub-resources and x-amz-* headers in the string to sign) and presigned query strings, and each refusal
/// with S3's code. The test signs with its own string-to-sign code, written from the S3 developer guide, not the
/// server's.
/// </summary>
public class SigV2Tests
{
#pragma warning disable CA5350 // SigV2 is HMAC-SHA1 by definition
    private static string Sign(string secret, string stringToSign) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350

    private static string HttpDate(DateTimeOffset time) => time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Sends a request signed with an Authorization: AWS header over the test's front.</summary>
    private static async Task<S3Response> SendV2Async(TestServer t, string method, string path, string? query = null,
        byte[]? body = null, string? contentType = null, (string Name, string Value)[]? amzHeaders = null,
        string? stringToSignResource = null, DateTimeOffset? date = null, string? accessKey = null, string? secret = null,
        string? host = null, string? authorization = null, bool sendDate = true, string? signedContentType = null)
    {
        string dateText = HttpDate(date ?? DateTimeOffset.UtcNow);
        var amz = (amzHeaders ?? []).OrderBy(h => h.Name.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(h => h.Name.ToLowerInvariant() + ":" + h.Value.Trim() + "\n");
        bool hasAmzDate = (amzHeaders ?? []).Any(h => h.Name.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase));
        string sts = $"{method}\n\n{signedContentType ?? contentType}\n{(hasAmzDate ? "" : dateText)}\n{string.Concat(amz)}{stringToSignResource ?? path}";
        using var http = t.NewHttpClient(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(t.Endpoint, path + (query == null ? "" : "?" + query)))
        {
            Version = t.HttpVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (host != null) request.Headers.Host = host;
        if (body != null || method is "PUT" or "POST") request.Content = new ByteArrayContent(body ?? []);
        if (contentType != null) request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (sendDate) request.Headers.TryAddWithoutValidation("Date", dateText);
        foreach (var (name, value) in amzHeaders ?? []) request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("Authorization",
            authorization ?? $"AWS {accessKey ?? TestServer.AccessKey}:{Sign(secret ?? TestServer.Secret, sts)}");
        return await ReadAsync(http, request);
    }

    private static async Task<S3Response> ReadAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in response.Headers.Concat(response.Content.Headers))
            headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
        return new S3Response((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>A presigned SigV2 URL (path style) valid until <paramref name="expires"/>.</summary>
    private static Uri Presign(TestServer t, string method, string path, DateTimeOffset expires, string? secret = null,
        string? extraQuery = null, string? signedResource = null)
    {
        long seconds = expires.ToUnixTimeSeconds();
        string signature = Sign(secret ?? TestServer.Secret, $"{method}\n\n\n{seconds}\n{signedResource ?? path}");
        string query = $"AWSAccessKeyId={TestServer.AccessKey}&Expires={seconds}&Signature={Uri.EscapeDataString(signature)}";
        return new Uri(t.Endpoint, path + "?" + (extraQuery == null ? "" : extraQuery + "&") + query);
    }

    private static async Task<S3Response> GetAsync(TestServer t, Uri url, string method = "GET", byte[]? body = null)
    {
        using var http = t.NewHttpClient(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Version = t.HttpVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (body != null) request.Content = new ByteArrayContent(body);
        return await ReadAsync(http, request);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Header_and_presigned_sigv2_requests_read_and_write_objects(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await SendV2Async(t, "PUT", "/v2-bucket")).Status);
        var body = RandomNumberGenerator.GetBytes(70_000);
        var put = await SendV2Async(t, "PUT", "/v2-bucket/dir/a%20b.bin", body: body, contentType: "application/x-test",
            amzHeaders: [("x-amz-meta-colour", "  blue "), ("X-Amz-Meta-Alpha", "one")]);
        Assert.Equal(200, put.Status);
        Assert.Equal(S3TestClient.Md5ETag(body), put.Header("etag"));

        var get = await SendV2Async(t, "GET", "/v2-bucket/dir/a%20b.bin");
        Assert.Equal(200, get.Status);
        Assert.Equal(body, get.Body);
        Assert.Equal("application/x-test", get.Header("content-type"));
        Assert.Equal("blue", get.Header("x-amz-meta-colour"));

        // x-amz-date takes the place of Date (whose line is then empty), and a signed sub-resource joins the resource.
        var tagging = await SendV2Async(t, "GET", "/v2-bucket/dir/a%20b.bin", query: "tagging",
            amzHeaders: [("x-amz-date", HttpDate(DateTimeOffset.UtcNow))], stringToSignResource: "/v2-bucket/dir/a%20b.bin?tagging",
            date: DateTimeOffset.UtcNow.AddDays(-3));
        Assert.Equal(200, tagging.Status);
        Assert.Contains("<TagSet", tagging.Text);
        // Parameters that are not sub-resources are not signed (list-type, prefix).
        var list = await SendV2Async(t, "GET", "/v2-bucket", query: "list-type=2&prefix=dir%2F");
        Assert.Equal(200, list.Status);
        Assert.Contains("<Key>dir/a b.bin</Key>", list.Text);

        // Presigned: PUT then GET with the query string; the URL is bound to its method and key.
        var presignedBody = RandomNumberGenerator.GetBytes(5000);
        Assert.Equal(200, (await GetAsync(t, Presign(t, "PUT", "/v2-bucket/by-url", DateTimeOffset.UtcNow.AddMinutes(5)), "PUT", presignedBody)).Status);
        var byUrl = await GetAsync(t, Presign(t, "GET", "/v2-bucket/by-url", DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(200, byUrl.Status);
        Assert.Equal(presignedBody, byUrl.Body);
        var overridden = await GetAsync(t, Presign(t, "GET", "/v2-bucket/by-url", DateTimeOffset.UtcNow.AddMinutes(5),
            extraQuery: "response-content-type=text%2Fplain", signedResource: "/v2-bucket/by-url?response-content-type=text/plain"));
        Assert.Equal(200, overridden.Status);
        Assert.Equal("text/plain", overridden.Header("content-type"));
        string otherKey = Presign(t, "GET", "/v2-bucket/by-url", DateTimeOffset.UtcNow.AddMinutes(5)).ToString().Replace("/by-url?", "/dir/a%20b.bin?", StringComparison.Ordinal);
        Assert.Equal("SignatureDoesNotMatch", (await GetAsync(t, new Uri(otherKey))).ErrorCode);
    }

    [Theory]
    [InlineData("uring")]
    [InlineData("managed")]
    public async Task A_virtual_hosted_request_signs_the_bucket_into_the_resource(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await SendV2Async(t, "PUT", "/vhost")).Status);
        Assert.Equal(200, (await SendV2Async(t, "PUT", "/vhost/k", body: [1, 2, 3])).Status);
        string host = $"vhost.localhost:{t.Endpoint.Port}";
        var get = await SendV2Async(t, "GET", "/k", host: host, stringToSignResource: "/vhost/k");
        Assert.Equal(200, get.Status);
        Assert.Equal([1, 2, 3], get.Body);
        // Signed without the bucket: the server's string to sign (in the error) starts the resource with it.
        var wrong = await SendV2Async(t, "GET", "/k", host: host, stringToSignResource: "/k");
        Assert.Equal(403, wrong.Status);
        Assert.Equal("SignatureDoesNotMatch", wrong.ErrorCode);
        Assert.EndsWith("\n/vhost/k", StringToSign(wrong));
    }

    private static string StringToSign(S3Response r) =>
        System.Net.WebUtility.HtmlDecode(Regex.Match(r.Text, "<StringToSign>([^<]*)</StringToSign>").Groups[1].Value);

    [Fact]
    public async Task Each_refusal_has_s3s_code_and_the_signature_mismatch_shows_the_string_to_sign()
    {
        await using var t = await TestServer.StartAsync("managed");
        Assert.Equal(200, (await SendV2Async(t, "PUT", "/errs")).Status);

        var bad = await SendV2Async(t, "GET", "/errs", secret: "not-the-secret");
        Assert.Equal((403, "SignatureDoesNotMatch"), (bad.Status, bad.ErrorCode));
        Assert.Matches(@"^GET\n\n\n\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\n/errs$", StringToSign(bad));
        Assert.Contains($"<AWSAccessKeyId>{TestServer.AccessKey}</AWSAccessKeyId>", bad.Text);
        Assert.Contains("<SignatureProvided>", bad.Text);
        Assert.Contains("<StringToSignBytes>47 45 54 0a 0a 0a", bad.Text);

        // A header changed after signing (Content-Type is in the string to sign).
        var tampered = await SendV2Async(t, "PUT", "/errs/x", body: [1], contentType: "text/html", signedContentType: "text/plain");
        Assert.Equal((403, "SignatureDoesNotMatch"), (tampered.Status, tampered.ErrorCode));
        Assert.StartsWith("PUT\n\ntext/html\n", StringToSign(tampered));
        Assert.Equal(404, (await SendV2Async(t, "HEAD", "/errs/x")).Status);

        var unknown = await SendV2Async(t, "GET", "/errs", accessKey: "AKIDNOBODY");
        Assert.Equal((403, "InvalidAccessKeyId"), (unknown.Status, unknown.ErrorCode));
        Assert.Contains("<AWSAccessKeyId>AKIDNOBODY</AWSAccessKeyId>", unknown.Text);

        var skewed = await SendV2Async(t, "GET", "/errs", date: DateTimeOffset.UtcNow.AddMinutes(-16));
        Assert.Equal((403, "RequestTimeTooSkewed"), (skewed.Status, skewed.ErrorCode));
        Assert.Contains("<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>", skewed.Text);
        var future = await SendV2Async(t, "GET", "/errs", date: DateTimeOffset.UtcNow.AddMinutes(16));
        Assert.Equal((403, "RequestTimeTooSkewed"), (future.Status, future.ErrorCode));
        Assert.Equal(200, (await SendV2Async(t, "GET", "/errs", date: DateTimeOffset.UtcNow.AddMinutes(-14))).Status);

        var noDate = await SendV2Async(t, "GET", "/errs", sendDate: false);
        Assert.Equal((403, "AccessDenied"), (noDate.Status, noDate.ErrorCode));
        Assert.Contains("requires a valid Date or x-amz-date header", noDate.Text);
        var badDate = await SendV2Async(t, "GET", "/errs", amzHeaders: [("x-amz-date", "yesterday")]);
        Assert.Equal((403, "AccessDenied"), (badDate.Status, badDate.ErrorCode));

        var malformed = await SendV2Async(t, "GET", "/errs", authorization: "AWS HAHAHA");
        Assert.Equal((400, "InvalidArgument"), (malformed.Status, malformed.ErrorCode));
        var noSignature = await SendV2Async(t, "GET", "/errs", authorization: $"AWS {TestServer.AccessKey}:");
        Assert.Equal((400, "InvalidArgument"), (noSignature.Status, noSignature.ErrorCode));
        var notBase64 = await SendV2Async(t, "GET", "/errs", authorization: $"AWS {TestServer.AccessKey}:!!!!");
        Assert.Equal((403, "SignatureDoesNotMatch"), (notBase64.Status, notBase64.ErrorCode));

        // Presigned: expired, a bad Expires, missing parameters, tampered, two mechanisms at once.
        var expired = await GetAsync(t, Presign(t, "GET", "/errs", DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.Equal((403, "AccessDenied"), (expired.Status, expired.ErrorCode));
        Assert.Contains("<Message>Request has expired</Message>", expired.Text);
        var notNumber = await GetAsync(t, new Uri(t.Endpoint, $"/errs?AWSAccessKeyId={TestServer.AccessKey}&Expires=soon&Signature=abc"));
        Assert.Equal((403, "AccessDenied"), (notNumber.Status, notNumber.ErrorCode));
        Assert.Contains("Invalid date (should be seconds since epoch): soon", notNumber.Text);
        var missing = await GetAsync(t, new Uri(t.Endpoint, $"/errs?AWSAccessKeyId={TestServer.AccessKey}&Signature=abc"));
        Assert.Equal((403, "AccessDenied"), (missing.Status, missing.ErrorCode));
        var wrongSecret = await GetAsync(t, Presign(t, "GET", "/errs", DateTimeOffset.UtcNow.AddMinutes(1), secret: "nope"));
        Assert.Equal((403, "SignatureDoesNotMatch"), (wrongSecret.Status, wrongSecret.ErrorCode));
        Assert.Matches(@"^GET\n\n\n\d+\n/errs$", StringToSign(wrongSecret));
        var unknownUrl = await GetAsync(t, new Uri(Presign(t, "GET", "/errs", DateTimeOffset.UtcNow.AddMinutes(1)).ToString()
            .Replace(TestServer.AccessKey, "AKIDNOBODY", StringComparison.Ordinal)));
        Assert.Equal((403, "InvalidAccessKeyId"), (unknownUrl.Status, unknownUrl.ErrorCode));
        var both = await SendV2Async(t, "GET", "/errs", query: "AWSAccessKeyId=x&Expires=1&Signature=y");
        Assert.Equal((400, "InvalidArgument"), (both.Status, both.ErrorCode));
    }
}
