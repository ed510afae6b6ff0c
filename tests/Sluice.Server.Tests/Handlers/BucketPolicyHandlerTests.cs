using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus over HTTP, every front × both stores: the document stored as
/// written and answered back byte for byte, refused documents answered with S3's MalformedPolicy message and nothing
/// changed, NoSuchBucketPolicy without one, IsPublic as S3 computes it, and (on disk) the policy kept across a restart.
/// </summary>
public class BucketPolicyHandlerTests
{
    private const string PublicRead =
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"PublicRead\",\n      \"Effect\": \"Allow\",\n" +
        "      \"Principal\": \"*\",\n      \"Action\": [\"s3:GetObject\"],\n      \"Resource\": [\"arn:aws:s3:::pol/*\"]\n    }\n  ]\n}\n";

    private const string OfficeOnly =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:ListBucket\"," +
        "\"Resource\":\"arn:aws:s3:::pol\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}}]}";

    private static string? Message(S3Response r) => Regex.Match(r.Text, "<Message>([^<]*)</Message>") is { Success: true } m
        ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private static Task<S3Response> PutPolicyAsync(S3TestClient c, string bucket, string json, params (string, string)[] headers) =>
        c.SendAsync("PUT", "/" + bucket, "policy", Encoding.UTF8.GetBytes(json), headers: headers);

    private static async Task<bool> IsPublicAsync(S3TestClient c, string bucket)
    {
        var status = await c.SendAsync("GET", "/" + bucket, "policyStatus");
        Assert.True(status.Status == 200, status.Text);
        Assert.Contains("<PolicyStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">", status.Text, StringComparison.Ordinal);
        return Regex.Match(status.Text, "<IsPublic>(true|false)</IsPublic>").Groups[1].Value == "true";
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_policy_is_stored_as_written_replaced_and_deleted(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal("NoSuchBucket", (await c.SendAsync("GET", "/pol", "policy")).ErrorCode);
        Assert.Equal("NoSuchBucket", (await PutPolicyAsync(c, "pol", PublicRead)).ErrorCode);
        Assert.Equal("NoSuchBucket", (await c.SendAsync("GET", "/pol", "policyStatus")).ErrorCode);
        Assert.Equal(200, (await c.SendAsync("PUT", "/pol")).Status);

        var none = await c.SendAsync("GET", "/pol", "policy");
        Assert.Equal((404, "NoSuchBucketPolicy"), (none.Status, none.ErrorCode));
        Assert.Equal("The bucket policy does not exist", Message(none));
        var noStatus = await c.SendAsync("GET", "/pol", "policyStatus");
        Assert.Equal((404, "NoSuchBucketPolicy"), (noStatus.Status, noStatus.ErrorCode));

        var put = await PutPolicyAsync(c, "pol", PublicRead);
        Assert.True(put.Status == 204, put.Text);
        var get = await c.SendAsync("GET", "/pol", "policy");
        Assert.Equal(200, get.Status);
        Assert.Equal(PublicRead, get.Text); // byte for byte, whitespace and all
        Assert.Equal("application/json", get.Header("Content-Type"));
        Assert.True(await IsPublicAsync(c, "pol"));

        // Replaced whole; the status follows the new document at once.
        Assert.Equal(204, (await PutPolicyAsync(c, "pol", OfficeOnly)).Status);
        Assert.Equal(OfficeOnly, (await c.SendAsync("GET", "/pol", "policy")).Text);
        Assert.False(await IsPublicAsync(c, "pol"));

        // A policy is not an object: the bucket lists empty.
        Assert.DoesNotContain("<Contents>", (await c.SendAsync("GET", "/pol")).Text, StringComparison.Ordinal);

        Assert.Equal(204, (await c.SendAsync("DELETE", "/pol", "policy")).Status);
        Assert.Equal("NoSuchBucketPolicy", (await c.SendAsync("GET", "/pol", "policy")).ErrorCode);
        Assert.Equal("NoSuchBucketPolicy", (await c.SendAsync("GET", "/pol", "policyStatus")).ErrorCode);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/pol", "policy")).Status); // deleting none is still 204

        // A bucket deleted and created again under the name starts without the old policy.
        Assert.Equal(204, (await PutPolicyAsync(c, "pol", PublicRead)).Status);
        Assert.True(await IsPublicAsync(c, "pol"));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/pol")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/pol")).Status);
        Assert.Equal("NoSuchBucketPolicy", (await c.SendAsync("GET", "/pol", "policy")).ErrorCode);
        Assert.Equal("NoSuchBucketPolicy", (await c.SendAsync("GET", "/pol", "policyStatus")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Refused_documents_get_S3s_error_and_change_nothing(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/pol")).Status);
        Assert.Equal(204, (await PutPolicyAsync(c, "pol", PublicRead)).Status);

        (string Json, string Message)[] refused =
        [
            ("not json", "Policies must be valid JSON and the first byte must be '{'"),
            ("{\"Version\":\"2012-10-17\",\"Statement\":[", "This policy contains invalid Json"),
            ("{\"Version\":\"2012-10-17\"}", "Missing required field Statement"),
            ("{\"Version\":\"1999-01-01\",\"Statement\":[]}", "The policy must contain a valid version string"),
            (PublicRead.Replace("\"Allow\"", "\"Permit\"", StringComparison.Ordinal), "Invalid effect: Permit"),
            (PublicRead.Replace("\"Principal\": \"*\"", "\"Principal\": \"someone\"", StringComparison.Ordinal), "Invalid principal in policy"),
            (PublicRead.Replace("s3:GetObject", "s3:GetObjects", StringComparison.Ordinal), "Policy has invalid action"),
            (PublicRead.Replace("arn:aws:s3:::pol/*", "arn:aws:s3:::other/*", StringComparison.Ordinal), "Policy has invalid resource"),
            (PublicRead.Replace("arn:aws:s3:::pol/*", "arn:aws:s3:::pol", StringComparison.Ordinal), "Action does not apply to any resource(s) in statement"),
            (OfficeOnly.Replace("IpAddress", "IpAdress", StringComparison.Ordinal), "Invalid Condition type : IpAdress"),
            (OfficeOnly.Replace("aws:SourceIp", "aws:SauceIp", StringComparison.Ordinal), "Policy has an invalid condition key"),
        ];
        foreach (var (json, message) in refused)
        {
            var r = await PutPolicyAsync(c, "pol", json);
            Assert.True((r.Status, r.ErrorCode) == (400, "MalformedPolicy"), $"{json}: {r.Status} {r.Text}");
            Assert.Equal(message, Message(r));
        }
        var large = await PutPolicyAsync(c, "pol", PublicRead[..^2] + new string(' ', 20 * 1024) + "}\n");
        Assert.Equal((400, "PolicyTooLarge"), (large.Status, large.ErrorCode));
        var badDigest = await PutPolicyAsync(c, "pol", OfficeOnly, ("Content-MD5", S3TestClient.Md5Base64(Encoding.UTF8.GetBytes(PublicRead))));
        Assert.Equal((400, "BadDigest"), (badDigest.Status, badDigest.ErrorCode));

        // The first policy is still the one stored and judged.
        Assert.Equal(PublicRead, (await c.SendAsync("GET", "/pol", "policy")).Text);
        Assert.True(await IsPublicAsync(c, "pol"));

        // With a matching Content-MD5 the document is taken.
        Assert.Equal(204, (await PutPolicyAsync(c, "pol", OfficeOnly, ("Content-MD5", S3TestClient.Md5Base64(Encoding.UTF8.GetBytes(OfficeOnly))))).Status);
        Assert.Equal(OfficeOnly, (await c.SendAsync("GET", "/pol", "policy")).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Other_methods_on_the_policy_subresources_are_405(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/pol")).Status);
        Assert.Equal((405, "MethodNotAllowed"), ((await c.SendAsync("POST", "/pol", "policy")).Status, (await c.SendAsync("POST", "/pol", "policy")).ErrorCode));
        Assert.Equal(405, (await c.SendAsync("PUT", "/pol", "policyStatus", Encoding.UTF8.GetBytes(PublicRead))).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task A_policy_survives_a_restart(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/pol")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/pol2")).Status);
        Assert.Equal(204, (await PutPolicyAsync(c, "pol", PublicRead)).Status);
        Assert.Equal(204, (await PutPolicyAsync(c, "pol2", OfficeOnly.Replace("pol\"", "pol2\"", StringComparison.Ordinal))).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/pol2", "policy")).Status);

        await t.RestartAsync();
        c = t.Client;
        Assert.Equal(PublicRead, (await c.SendAsync("GET", "/pol", "policy")).Text);
        Assert.True(await IsPublicAsync(c, "pol"));
        Assert.Equal("NoSuchBucketPolicy", (await c.SendAsync("GET", "/pol2", "policy")).ErrorCode);
    }
}
