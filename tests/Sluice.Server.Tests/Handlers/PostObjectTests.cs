using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.S3.Auth;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// POST object (browser form uploads) over real HTTP: SigV4 and SigV2 form signatures, the policy's conditions and
/// the fields it must cover, success answers (204, 200, 201 with PostResponse, 303 redirect), and every refusal with
/// S3's code — with the object left absent whenever the upload is refused.
/// </summary>
public class PostObjectTests
{
    private const string Boundary = "----sluice-form-7MA4YWxkTrZu0gW";

    /// <summary>A form: the fields in order, then the file part (unless <paramref name="file"/> is null).</summary>
    private static byte[] Form(IEnumerable<(string Name, string Value)> fields, byte[]? file, string fileName = "photo.jpg",
        string fileField = "file")
    {
        var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        foreach (var (name, value) in fields)
            Write($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        if (file != null)
        {
            Write($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{fileField}\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            body.Write(file);
            Write("\r\n");
        }
        Write($"--{Boundary}--\r\n");
        return body.ToArray();
    }

    private static async Task<S3Response> PostAsync(TestServer t, string bucket, byte[] body, string? contentType = null)
    {
        using var http = t.NewHttpClient(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(t.Endpoint, "/" + bucket))
        {
            Version = t.HttpVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? $"multipart/form-data; boundary={Boundary}");
        using var response = await http.SendAsync(request);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in response.Headers.Concat(response.Content.Headers))
            headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
        return new S3Response((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
    }

    private static string Expiration(TimeSpan fromNow) =>
        (DateTimeOffset.UtcNow + fromNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    /// <summary>The SigV4 form fields for <paramref name="policyJson"/> (whose conditions must cover them), after
    /// <paramref name="fields"/>.</summary>
    private static List<(string, string)> SignV4(string policyJson, string date, IEnumerable<(string, string)> fields,
        string secret = TestServer.Secret, string accessKey = TestServer.AccessKey)
    {
        string policy = Base64(policyJson);
        var list = fields.ToList();
        list.Add(("x-amz-algorithm", "AWS4-HMAC-SHA256"));
        list.Add(("x-amz-credential", Credential(date, accessKey)));
        list.Add(("x-amz-date", date));
        list.Add(("policy", policy));
        list.Add(("x-amz-signature", PostPolicySignature.SignV4(secret, date[..8], S3TestClient.Region, "s3", policy)));
        return list;
    }

    private static string Credential(string date, string accessKey = TestServer.AccessKey) =>
        $"{accessKey}/{date[..8]}/{S3TestClient.Region}/s3/aws4_request";

    private static string Now() => DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A SigV4 policy for <paramref name="bucket"/> with <paramref name="conditions"/> (JSON items) plus the
    /// conditions its own x-amz-* fields need.</summary>
    private static string V4Policy(string bucket, string date, string conditions, TimeSpan? expiresIn = null) =>
        $$"""{"expiration": "{{Expiration(expiresIn ?? TimeSpan.FromMinutes(10))}}", "conditions": [{"bucket": "{{bucket}}"}, {{conditions}}, {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "{{Credential(date)}}"}, {"x-amz-date": "{{date}}"}]}""";

    private static async Task<bool> ExistsAsync(TestServer t, string bucket, string key) =>
        (await t.Client.SendAsync("HEAD", $"/{bucket}/{S3TestClient.EncodeKey(key)}")).Status == 200;

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Signed_forms_store_the_file_with_the_fields_it_names(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/forms")).Status);
        // Larger than the reader's buffer, and full of near-delimiters, so the delimiter search spans reads.
        var file = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\r\n--" + Boundary[..20] + "\r\n-", 9000)));
        string date = Now();
        string tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>";
        string policy = V4Policy("forms", date, """["starts-with", "$key", "uploads/"], {"Content-Type": "text/plain"}, ["starts-with", "$x-amz-meta-colour", ""], {"success_action_status": "201"}, ["eq", "$tagging", "TAGGING"], ["content-length-range", 1, 1048576]"""
            .Replace("TAGGING", tagging.Replace("\"", "\\\"", StringComparison.Ordinal), StringComparison.Ordinal));
        var form = SignV4(policy, date, [("key", "uploads/${filename}"), ("Content-Type", "text/plain"), ("x-amz-meta-colour", "green"),
            ("success_action_status", "201"), ("tagging", tagging)]);
        var created = await PostAsync(t, "forms", Form(form, file, "notes.txt"));
        Assert.Equal(201, created.Status);
        Assert.Equal("uploads/notes.txt", Regex.Match(created.Text, "<Key>([^<]*)</Key>").Groups[1].Value);
        Assert.Contains("<Bucket>forms</Bucket>", created.Text);
        Assert.Equal(S3TestClient.Md5ETag(file), created.Header("etag"));
        Assert.Contains($"<ETag>&quot;{Convert.ToHexStringLower(S3TestClient.Md5(file))}&quot;</ETag>", created.Text);

        var get = await t.Client.GetObjectAsync("forms", "uploads/notes.txt");
        Assert.Equal(file, get.Body);
        Assert.Equal("text/plain", get.Header("content-type"));
        Assert.Equal("green", get.Header("x-amz-meta-colour"));
        Assert.Contains("<Key>team</Key><Value>blue</Value>", (await t.Client.SendAsync("GET", "/forms/uploads/notes.txt", "tagging")).Text);

        // SigV2 form fields: AWSAccessKeyId and signature (HMAC-SHA1 of the policy); 204 by default.
        string v2Policy = Base64($$"""{"expiration": "{{Expiration(TimeSpan.FromMinutes(5))}}", "conditions": [{"bucket": "forms"}, ["eq", "$key", "v2.bin"]]}""");
        var v2 = await PostAsync(t, "forms", Form([("key", "v2.bin"), ("AWSAccessKeyId", TestServer.AccessKey), ("policy", v2Policy),
            ("signature", PostPolicySignature.SignV2(TestServer.Secret, v2Policy))], [1, 2, 3]));
        Assert.Equal(204, v2.Status);
        Assert.Empty(v2.Body);
        Assert.Equal([1, 2, 3], (await t.Client.GetObjectAsync("forms", "v2.bin")).Body);
    }

    /// <summary>Posts a SigV4 form with the policy's <paramref name="conditions"/> and the form's <paramref name="fields"/>.</summary>
    private static Task<S3Response> PostV4Async(TestServer t, string conditions, (string, string)[] fields, byte[]? file = null,
        TimeSpan? expiresIn = null, string bucket = "rules") =>
        PostAsync(t, bucket, Form(SignV4(V4Policy("rules", Now(), conditions, expiresIn), Now(), fields), file ?? [7, 7, 7]));

    [Fact]
    public async Task The_policy_is_enforced_condition_by_condition()
    {
        await using var t = await TestServer.StartAsync("managed");
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/rules")).Status);
        static void Denied(S3Response r, string message)
        {
            Assert.Equal((403, "AccessDenied"), (r.Status, r.ErrorCode));
            Assert.Contains("<Message>Invalid according to Policy: " + message, System.Net.WebUtility.HtmlDecode(r.Text));
        }

        Assert.Equal(204, (await PostV4Async(t, """["eq", "$key", "ok"]""", [("key", "ok")])).Status);
        // Field and operator names compare case-insensitively; x-ignore-* fields need no condition.
        Assert.Equal(204, (await PostV4Async(t, """["StArTs-WiTh", "$KeY", "ca"], {"X-Amz-Meta-Team": "a"}""",
            [("kEy", "case"), ("x-amz-meta-team", "a"), ("x-ignore-button", "Upload")])).Status);
        Assert.True(await ExistsAsync(t, "rules", "case"));

        Denied(await PostV4Async(t, """["eq", "$key", "ok"]""", [("key", "other")]), """Policy Condition failed: ["eq", "$key", "ok"]""");
        Denied(await PostV4Async(t, """["starts-with", "$key", "in/"]""", [("key", "out/x")]), "Policy Condition failed: [\"starts-with\", \"$key\", \"in/\"]");
        Denied(await PostV4Async(t, """["starts-with", "$key", ""], ["starts-with", "$x-amz-meta-foo", "bar"]""", [("key", "m")]),
            "Policy Condition failed");
        Denied(await PostV4Async(t, """["starts-with", "$key", ""]""", [("key", "extra"), ("x-amz-meta-extra", "1")]),
            "Extra input fields: x-amz-meta-extra");
        Denied(await PostV4Async(t, """["eq", "$key", "late"]""", [("key", "late")], expiresIn: TimeSpan.FromSeconds(-1)), "Policy expired.");
        Assert.False(await ExistsAsync(t, "rules", "late"));

        // The bucket must be named by the policy, and be this one.
        string date = Now();
        string noBucket = $$"""{"expiration": "{{Expiration(TimeSpan.FromMinutes(5))}}", "conditions": [["eq", "$key", "nb"], {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "{{Credential(date)}}"}, {"x-amz-date": "{{date}}"}]}""";
        Denied(await PostAsync(t, "rules", Form(SignV4(noBucket, date, [("key", "nb")]), [1])), "Policy Condition failed: [\"eq\", \"$bucket\"");
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/other-rules")).Status);
        Denied(await PostV4Async(t, """["eq", "$key", "wb"]""", [("key", "wb")], bucket: "other-rules"), "Policy Condition failed: [\"eq\", \"$bucket\", \"rules\"]");

        // content-length-range: the file outside it is refused and not stored.
        var large = await PostV4Async(t, """["eq", "$key", "big"], ["content-length-range", 0, 2]""", [("key", "big")]);
        Assert.Equal((400, "EntityTooLarge"), (large.Status, large.ErrorCode));
        var small = await PostV4Async(t, """["eq", "$key", "small"], ["content-length-range", 512, 1000]""", [("key", "small")]);
        Assert.Equal((400, "EntityTooSmall"), (small.Status, small.ErrorCode));
        Assert.False(await ExistsAsync(t, "rules", "big"));
        Assert.False(await ExistsAsync(t, "rules", "small"));
        Assert.Equal(204, (await PostV4Async(t, """["eq", "$key", "fits"], ["content-length-range", 3, 3]""", [("key", "fits")])).Status);
    }

    [Fact]
    public async Task Malformed_policies_are_invalid_policy_documents()
    {
        await using var t = await TestServer.StartAsync("managed");
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/docs")).Status);
        async Task Invalid(string json, string? message = null)
        {
            string policy = Base64(json);
            var r = await PostAsync(t, "docs", Form([("key", "k"), ("AWSAccessKeyId", TestServer.AccessKey), ("policy", policy),
                ("signature", PostPolicySignature.SignV2(TestServer.Secret, policy))], [1]));
            Assert.Equal((400, "InvalidPolicyDocument"), (r.Status, r.ErrorCode));
            if (message != null) Assert.Contains(message, System.Net.WebUtility.HtmlDecode(r.Text));
        }
        string exp = Expiration(TimeSpan.FromMinutes(5));
        await Invalid("not json", "Invalid JSON");
        await Invalid("""{"conditions": [{"bucket": "docs"}]}""", "Policy missing expiration.");
        await Invalid($$"""{"expiration": "{{exp}}"}""", "Policy missing conditions.");
        await Invalid($$"""{"expiration": "{{exp}}", "CONDITIONS": [{"bucket": "docs"}]}""", "Policy missing conditions.");
        await Invalid("""{"EXPIRATION": "2030-01-01T00:00:00Z", "conditions": [{"bucket": "docs"}]}""", "Policy missing expiration.");
        await Invalid("""{"expiration": "Mon, 2 Jan 2030 15:04:05 GMT", "conditions": [{"bucket": "docs"}]}""", "Invalid 'expiration' value");
        await Invalid($$"""{"expiration": "{{exp}}", "conditions": [{}]}""");
        await Invalid($$"""{"expiration": "{{exp}}", "conditions": [{"bucket": "docs"}, ["content-length-range", 0]]}""", "content-length-range");
        await Invalid($$"""{"expiration": "{{exp}}", "conditions": [{"bucket": "docs"}, ["content-length-range", -1, 0]]}""", "content-length-range");
        await Invalid($$"""{"expiration": "{{exp}}", "conditions": [{"bucket": "docs"}, ["between", "$key", "a"]]}""", "Invalid Condition");
        string notBase64 = "%%%";
        var r = await PostAsync(t, "docs", Form([("key", "k"), ("AWSAccessKeyId", TestServer.AccessKey), ("policy", notBase64),
            ("signature", PostPolicySignature.SignV2(TestServer.Secret, notBase64))], [1]));
        Assert.Equal((400, "InvalidPolicyDocument"), (r.Status, r.ErrorCode));
    }

    [Fact]
    public async Task Forms_that_are_not_what_s3_takes_are_refused_with_its_codes()
    {
        await using var t = await TestServer.StartAsync("managed");
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bad")).Status);
        string v2Policy = Base64($$"""{"expiration": "{{Expiration(TimeSpan.FromMinutes(5))}}", "conditions": [{"bucket": "bad"}, ["starts-with", "$key", ""]]}""");
        (string, string)[] V2(string key, string? signature = null, string accessKey = TestServer.AccessKey) =>
            [("key", key), ("AWSAccessKeyId", accessKey), ("policy", v2Policy), ("signature", signature ?? PostPolicySignature.SignV2(TestServer.Secret, v2Policy))];
        static void Is(S3Response r, int status, string code) => Assert.Equal((status, code), (r.Status, r.ErrorCode));

        Is(await PostAsync(t, "bad", Form(V2("k", PostPolicySignature.SignV2("wrong", v2Policy)), [1])), 403, "SignatureDoesNotMatch");
        Is(await PostAsync(t, "bad", Form(V2("k", accessKey: "AKIDNOBODY"), [1])), 403, "InvalidAccessKeyId");
        Is(await PostAsync(t, "bad", Form(V2("k").Where(f => f.Item1 != "signature"), [1])), 400, "InvalidArgument");
        Is(await PostAsync(t, "bad", Form(V2("k").Where(f => f.Item1 != "key"), [1])), 400, "InvalidArgument");
        Is(await PostAsync(t, "bad", Form(V2("k"), null)), 400, "InvalidArgument");
        string date = Now();
        var v4 = SignV4(V4Policy("bad", date, """["starts-with", "$key", ""]"""), date, [("key", "k4")]);
        Is(await PostAsync(t, "bad", Form(v4.Select(f => f.Item1 == "x-amz-signature" ? (f.Item1, new string('0', 64)) : f), [1])), 403, "SignatureDoesNotMatch");
        Is(await PostAsync(t, "bad", Form(v4.Where(f => f.Item1 != "x-amz-date"), [1])), 400, "InvalidArgument");
        Is(await PostAsync(t, "bad", Form(v4.Where(f => f.Item1 != "policy"), [1])), 400, "InvalidArgument");
        Is(await PostAsync(t, "bad", Form(v4.Select(f => f.Item1 == "x-amz-algorithm" ? (f.Item1, "AWS4-HMAC-SHA1") : f), [1])), 400, "InvalidArgument");

        // An unsigned form: refused unless the server is anonymous.
        Is(await PostAsync(t, "bad", Form([("key", "anon")], [1])), 403, "AccessDenied");
        // Not a multipart form; a form cut short; fields before the file past 20 KiB.
        Is(await PostAsync(t, "bad", Encoding.ASCII.GetBytes("key=x"), "application/x-www-form-urlencoded"), 412, "PreconditionFailed");
        var cut = Form(V2("cut"), new byte[1000]);
        Is(await PostAsync(t, "bad", cut[..^(Boundary.Length + 200)]), 400, "MalformedPOSTRequest");
        Is(await PostAsync(t, "bad", Form([.. V2("pre"), ("x-ignore-pad", new string('p', 21 * 1024))], [1])), 400, "MaxPostPreDataLengthExceeded");
        Assert.False(await ExistsAsync(t, "bad", "cut"));
        // A field the policy does not cover is refused before anything it asks for is looked at.
        Is(await PostAsync(t, "bad", Form([.. V2("sse"), ("x-amz-server-side-encryption", "AES256")], [1])), 403, "AccessDenied");
        Is(await PostAsync(t, "no-such-bucket", Form(V2("k"), [1])), 404, "NoSuchBucket");
    }

    [Fact]
    public async Task Success_answers_follow_success_action_status_and_redirect_and_checksums_are_checked()
    {
        await using var t = await TestServer.StartAsync("managed", anonymous: true);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/answers")).Status);
        // An anonymous server takes an unsigned form (no policy).
        Assert.Equal(204, (await PostAsync(t, "answers", Form([("key", "anon")], [1]))).Status);
        Assert.Equal(200, (await PostAsync(t, "answers", Form([("key", "s200"), ("success_action_status", "200")], [1]))).Status);
        Assert.Equal(204, (await PostAsync(t, "answers", Form([("key", "s404"), ("success_action_status", "404")], [1]))).Status);
        var redirect = await PostAsync(t, "answers", Form([("key", "dir/r 1"), ("success_action_redirect", "https://example.com/done?x=1")], [9]));
        Assert.Equal(303, redirect.Status);
        Assert.Equal($"https://example.com/done?x=1&bucket=answers&key=dir%2Fr%201&etag=%22{Convert.ToHexStringLower(S3TestClient.Md5([9]))}%22",
            redirect.Header("location"));
        Assert.True(await ExistsAsync(t, "answers", "dir/r 1"));

        byte[] data = Encoding.ASCII.GetBytes("checked");
        string crc = Convert.ToBase64String(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(Crc32.HashToUInt32(data))));
        var good = await PostAsync(t, "answers", Form([("key", "crc"), ("x-amz-checksum-crc32", crc)], data));
        Assert.Equal(204, good.Status);
        Assert.Equal(crc, good.Header("x-amz-checksum-crc32"));
        var bad = await PostAsync(t, "answers", Form([("key", "crc-bad"), ("x-amz-checksum-crc32", "AAAAAA==")], data));
        Assert.Equal((400, "BadDigest"), (bad.Status, bad.ErrorCode));
        Assert.False(await ExistsAsync(t, "answers", "crc-bad"));
        var sse = await PostAsync(t, "answers", Form([("key", "sse"), ("x-amz-server-side-encryption", "AES256")], data));
        Assert.Equal((501, "NotImplemented"), (sse.Status, sse.ErrorCode));
        var acl = await PostAsync(t, "answers", Form([("key", "acl"), ("acl", "public-read")], data));
        Assert.Equal((501, "NotImplemented"), (acl.Status, acl.ErrorCode));
        Assert.Equal(204, (await PostAsync(t, "answers", Form([("key", "private"), ("acl", "private")], data))).Status);
    }
}
