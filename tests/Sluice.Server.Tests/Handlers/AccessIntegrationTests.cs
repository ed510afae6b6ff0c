using System.Net.Http.Headers;
using System.Text;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// The access-control pieces together, over real HTTP on every front and both stores: bucket policies written with
/// PutBucketPolicy and judged by the authorization stage (the real policy engine, not a test hook), browser form
/// uploads judged for the form's signer (or the anonymous principal) against the bucket's ACL, and object lock's
/// governance bypass honoured only for a principal allowed s3:BypassGovernanceRetention.
/// </summary>
public sealed class AccessIntegrationTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string AltArn => $"arn:aws:iam::{TestServer.TwoUsers[1].AccountId}:user/alt";

    private static void Denied(S3Response r) => Assert.True(r.Status == 403 && r.ErrorCode == "AccessDenied", $"{r.Status} {r.Text}");

    private static Task<S3Response> PutPolicyAsync(S3TestClient c, string bucket, string statements) =>
        c.SendAsync("PUT", "/" + bucket, "policy", B($$"""{"Version": "2012-10-17", "Statement": [{{statements}}]}"""));

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_bucket_policy_grants_and_denies_as_soon_as_it_is_written_and_stops_when_deleted(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/pol")).Status);
        Assert.Equal(200, (await main.PutObjectAsync("pol", "public/a.txt", B("for everyone"))).Status);
        Assert.Equal(200, (await main.PutObjectAsync("pol", "private/b.txt", B("for main"))).Status);
        Denied(await main.SendAsync("GET", "/pol/public/a.txt", sign: false));
        Denied(await alt.PutObjectAsync("pol", "drop/x.txt", B("x")));

        var put = await PutPolicyAsync(main, "pol", $$"""
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol/public/*"},
            {"Sid": "AltDrops", "Effect": "Allow", "Principal": {"AWS": "{{AltArn}}"}, "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::pol/drop/*"},
            {"Sid": "NeverSecret", "Effect": "Deny", "Principal": {"AWS": "{{AltArn}}"}, "Action": "s3:*", "Resource": "arn:aws:s3:::pol/drop/secret/*"}
            """);
        Assert.True(put.Status == 204, put.Text);

        var anonymous = await main.SendAsync("GET", "/pol/public/a.txt", sign: false);
        Assert.Equal(200, anonymous.Status);
        Assert.Equal("for everyone", anonymous.Text);
        Denied(await main.SendAsync("GET", "/pol/private/b.txt", sign: false)); // outside the statement's resource
        Denied(await main.SendAsync("PUT", "/pol/public/c.txt", body: B("no"), sign: false)); // an action it does not allow
        Assert.Equal(200, (await alt.PutObjectAsync("pol", "drop/x.txt", B("from alt"))).Status);
        Assert.Equal("from alt", (await alt.GetObjectAsync("pol", "drop/x.txt")).Text);
        Denied(await alt.PutObjectAsync("pol", "drop/secret/y.txt", B("y"))); // the explicit deny wins over the allow
        Denied(await alt.GetObjectAsync("pol", "private/b.txt"));
        Denied(await alt.SendAsync("GET", "/pol", "policy")); // the policy itself is the owner's to read

        Assert.Equal(204, (await main.SendAsync("DELETE", "/pol", "policy")).Status);
        Denied(await main.SendAsync("GET", "/pol/public/a.txt", sign: false));
        Denied(await alt.PutObjectAsync("pol", "drop/z.txt", B("z")));
        Assert.Equal(404, (await main.GetObjectAsync("pol", "drop/z.txt")).Status);
    }

    private const string Boundary = "----sluice-access-form";

    private static async Task<S3Response> PostUnsignedFormAsync(TestServer t, string bucket, string key, byte[] file)
    {
        var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        Write($"--{Boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n");
        Write($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.Write(file);
        Write($"\r\n--{Boundary}--\r\n");
        using var http = t.NewHttpClient(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(t.Endpoint, "/" + bucket))
        {
            Version = t.HttpVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body.ToArray()),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        using var response = await http.SendAsync(request);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in response.Headers.Concat(response.Content.Headers))
            headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
        return new S3Response((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task An_unsigned_form_upload_is_the_anonymous_principal_s_and_needs_the_bucket_s_write_grant(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        Assert.Equal(200, (await main.SendAsync("PUT", "/closed")).Status);
        Assert.Equal(200, (await main.SendAsync("PUT", "/open", headers: [("x-amz-acl", "public-read-write")])).Status);

        Denied(await PostUnsignedFormAsync(t, "closed", "k", [1, 2, 3]));
        Assert.Equal(404, (await main.GetObjectAsync("closed", "k")).Status);

        Assert.Equal(204, (await PostUnsignedFormAsync(t, "open", "k", [1, 2, 3])).Status);
        // The object is its writer's (the anonymous principal's, with object-writer ownership, as on S3): even the
        // bucket owner reads it only by a grant; the administrator sees what was stored.
        Denied(await main.GetObjectAsync("open", "k"));
        using var root = t.ClientFor(TestServer.AdminAccessKey, TestServer.AdminSecret);
        var stored = await root.GetObjectAsync("open", "k");
        Assert.Equal(200, stored.Status);
        Assert.Equal(new byte[] { 1, 2, 3 }, stored.Body);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Only_a_principal_allowed_to_bypass_governance_retention_can(string front)
    {
        await using var t = await TestServer.StartAsync(front, users: true);
        var main = t.Client;
        using var alt = t.ClientFor(TestServer.AltAccessKey, TestServer.AltSecret);
        Assert.Equal(200, (await main.SendAsync("PUT", "/gov", headers: [("x-amz-bucket-object-lock-enabled", "true")])).Status);
        string until = DateTimeOffset.UtcNow.AddDays(2).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var body = B("kept");
        var written = await main.PutObjectAsync("gov", "k", body, ("Content-MD5", S3TestClient.Md5Base64(body)),
            ("x-amz-object-lock-mode", "GOVERNANCE"), ("x-amz-object-lock-retain-until-date", until));
        Assert.True(written.Status == 200, written.Text);
        string version = written.Header("x-amz-version-id")!;
        (string, string)[] bypass = [("x-amz-bypass-governance-retention", "true")];

        // alt may delete versions, but not bypass: the retention still refuses it.
        Assert.Equal(204, (await PutPolicyAsync(main, "gov", $$"""
            {"Effect": "Allow", "Principal": {"AWS": "{{AltArn}}"}, "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"], "Resource": "arn:aws:s3:::gov/*"}
            """)).Status);
        Denied(await alt.SendAsync("DELETE", "/gov/k", "versionId=" + version, headers: bypass));
        Assert.Equal(200, (await main.GetObjectAsync("gov", "k")).Status);

        // Allowed s3:BypassGovernanceRetention too, the same request removes the version.
        Assert.Equal(204, (await PutPolicyAsync(main, "gov", $$"""
            {"Effect": "Allow", "Principal": {"AWS": "{{AltArn}}"}, "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"], "Resource": "arn:aws:s3:::gov/*"}
            """)).Status);
        Assert.Equal(204, (await alt.SendAsync("DELETE", "/gov/k", "versionId=" + version, headers: bypass)).Status);
        Assert.Equal(404, (await main.SendAsync("HEAD", "/gov/k", "versionId=" + version)).Status);
    }
}
