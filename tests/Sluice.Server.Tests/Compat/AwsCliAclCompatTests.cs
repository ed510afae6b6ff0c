using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's awscli against the in-process server: s3api put/get-bucket-acl and put/get-object-acl (canned, grant
/// options and a whole policy document), and `s3 cp --acl`; what they set is checked by an unsigned HTTP request
/// (the anonymous principal). Skips when awscli is missing.
/// </summary>
public class AwsCliAclCompatTests : AwsCliTestBase, IClassFixture<CompatServer>
{
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

    public AwsCliAclCompatTests(CompatServer server) : base(server)
    {
    }

    private static IEnumerable<(string? Id, string? Uri, string Permission)> Grants(JsonElement acl) =>
        acl.GetProperty("Grants").EnumerateArray().Select(g => (
            g.GetProperty("Grantee").TryGetProperty("ID", out var id) ? id.GetString() : null,
            g.GetProperty("Grantee").TryGetProperty("URI", out var uri) ? uri.GetString() : null,
            g.GetProperty("Permission").GetString()!));

    [ClientFact(S3Client.AwsCli)]
    public async Task Acls_set_with_awscli_are_what_anonymous_requests_get()
    {
        (await Aws("s3api", "create-bucket", "--bucket", "cli-acl")).Ok();
        string url = _s.Endpoint + "/cli-acl";
        Assert.Equal(403, (await CompatServer.HttpAsync(HttpMethod.Get, url + "?list-type=2")).Status);
        (await Aws("s3api", "put-bucket-acl", "--bucket", "cli-acl", "--acl", "public-read")).Ok();
        Assert.Equal(200, (await CompatServer.HttpAsync(HttpMethod.Get, url + "?list-type=2")).Status);
        var bucketAcl = await AwsJson("s3api", "get-bucket-acl", "--bucket", "cli-acl");
        Assert.Equal("sluice", bucketAcl.GetProperty("Owner").GetProperty("ID").GetString());
        Assert.Contains((null, AllUsers, "READ"), Grants(bucketAcl));

        var (file, data) = _s.RandomFile(1000);
        (await Aws("s3", "cp", "--only-show-errors", "--acl", "public-read", file, "s3://cli-acl/open")).Ok();
        (await Aws("s3", "cp", "--only-show-errors", file, "s3://cli-acl/closed")).Ok();
        var open = await CompatServer.HttpAsync(HttpMethod.Get, url + "/open");
        Assert.Equal(200, open.Status);
        Assert.Equal(data, open.Body);
        Assert.Equal(403, (await CompatServer.HttpAsync(HttpMethod.Get, url + "/closed")).Status);

        (await Aws("s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "closed", "--grant-read", $"uri={AllUsers}")).Ok();
        Assert.Equal(200, (await CompatServer.HttpAsync(HttpMethod.Get, url + "/closed")).Status);
        var objectAcl = await AwsJson("s3api", "get-object-acl", "--bucket", "cli-acl", "--key", "closed");
        Assert.Equal([(null, AllUsers, "READ")], Grants(objectAcl).ToArray());

        // A whole document (the owner's FULL_CONTROL only) makes the object private again.
        string policy = JsonSerializer.Serialize(new
        {
            Owner = new { ID = "sluice" },
            Grants = new[] { new { Grantee = new { Type = "CanonicalUser", ID = "sluice" }, Permission = "FULL_CONTROL" } },
        });
        (await Aws("s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "open", "--access-control-policy", policy)).Ok();
        Assert.Equal(403, (await CompatServer.HttpAsync(HttpMethod.Get, url + "/open")).Status);
        (await Aws("s3api", "put-bucket-acl", "--bucket", "cli-acl", "--acl", "public-read", "--grant-read", $"uri={AllUsers}")).Failed("InvalidRequest");
        (await Aws("s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "open", "--grant-read", "id=nobody")).Failed("InvalidArgument");
        (await Aws("s3", "rb", "--force", "s3://cli-acl")).Ok();
    }
}
