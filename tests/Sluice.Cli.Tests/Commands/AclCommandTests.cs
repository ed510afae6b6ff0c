using System.Net;
using Sluice.Client;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// <c>sluice acl get|set</c>, <c>mb --acl</c> and <c>cp --acl</c> through the real executable against the embedded server:
/// what they set is what an unsigned request (the anonymous principal) may then read.
/// </summary>
public sealed class AclCommandTests() : ServerCommandTests("AKIDCLIACL", "cli/acl+secret", "acl")
{
    private async Task<HttpStatusCode> AnonymousGetAsync(string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(Server.Endpoint, path));
        return response.StatusCode;
    }

    [Fact]
    public async Task Acls_are_set_and_shown_for_buckets_and_objects()
    {
        Ok(Sluice("mb", "s3://site", "--acl", "public-read"));
        Assert.Equal(HttpStatusCode.OK, await AnonymousGetAsync("/site?list-type=2"));
        string file = NewFile("page.html", 100, 1);
        Ok(Sluice("cp", file, "s3://site/page.html", "--acl", "public-read"));
        Ok(Sluice("cp", file, "s3://site/draft.html"));
        Assert.Equal(HttpStatusCode.OK, await AnonymousGetAsync("/site/page.html"));
        Assert.Equal(HttpStatusCode.Forbidden, await AnonymousGetAsync("/site/draft.html"));

        var shown = Ok(Sluice("acl", "get", "s3://site/page.html")).StdOut;
        Assert.Matches("^owner: sluice \\(sluice\\)\nFULL_CONTROL +user sluice \\(sluice\\)\nREAD +group AllUsers \\(everyone\\)\n$", shown);
        Ok(Sluice("acl", "set", "s3://site/page.html", "--acl", "private"));
        Assert.Equal(HttpStatusCode.Forbidden, await AnonymousGetAsync("/site/page.html"));
        Ok(Sluice("acl", "set", "s3://site/draft.html", "--acl", "public-read"));
        Assert.Equal(HttpStatusCode.OK, await AnonymousGetAsync("/site/draft.html"));

        // A document: the bucket private again (its owner only).
        string xml = Local("acl.xml");
        await File.WriteAllTextAsync(xml, "<AccessControlPolicy><Owner><ID>sluice</ID></Owner><AccessControlList><Grant>" +
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>sluice</ID></Grantee>" +
            "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>");
        Ok(Sluice("acl", "set", "s3://site", "--file", xml));
        Assert.Equal(HttpStatusCode.Forbidden, await AnonymousGetAsync("/site?list-type=2"));
        Assert.DoesNotContain("AllUsers", Ok(Sluice("acl", "get", "s3://site")).StdOut, StringComparison.Ordinal);

        var json = Ok(Sluice("acl", "get", "s3://site", "--json")).StdOut;
        Assert.Contains("\"permission\":\"FULL_CONTROL\"", json, StringComparison.Ordinal);

        var usage = Sluice("acl", "set", "s3://site");
        Assert.Equal(2, usage.ExitCode);
        var refused = Sluice("acl", "set", "s3://site/draft.html", "--acl", "aws-exec-read");
        Assert.Equal(1, refused.ExitCode);
        Assert.True(refused.StdErr.Contains("NotImplemented", StringComparison.Ordinal), refused.StdErr);
        await using var client = new S3Client(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });
        Assert.Equal("sluice", (await client.GetObjectAclAsync("site", "draft.html")).OwnerId);
    }
}
