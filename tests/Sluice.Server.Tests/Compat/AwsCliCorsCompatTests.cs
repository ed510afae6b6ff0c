using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Bucket CORS through Debian's awscli: <c>s3api put-bucket-cors</c> (botocore sends its checksum),
/// <c>get-bucket-cors</c> read back as awscli parses it, <c>delete-bucket-cors</c> then NoSuchCORSConfiguration, an
/// unsupported method refused. (Debian's awscli 2.9 predates ListBuckets pagination: S3Client and the handler tests
/// cover it.)
/// </summary>
public class AwsCliCorsCompatTests : AwsCliTestBase, IClassFixture<CompatServer>
{
    public AwsCliCorsCompatTests(CompatServer server) : base(server)
    {
    }

    private string Bucket => _s.Server.StorageDescription.StartsWith("disk", StringComparison.Ordinal) ? "cli-cors" : "cli-cors-mem";

    [ClientFact(S3Client.AwsCli)]
    public async Task Put_get_and_delete_bucket_cors()
    {
        string bucket = Bucket;
        (await Aws("s3api", "create-bucket", "--bucket", bucket)).Ok();
        (await Aws("s3api", "get-bucket-cors", "--bucket", bucket)).Failed("NoSuchCORSConfiguration");
        const string config = """
            {"CORSRules": [
              {"ID": "app", "AllowedOrigins": ["https://app.example", "http://*.example"], "AllowedMethods": ["GET", "PUT"],
               "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000},
              {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]}
            ]}
            """;
        (await Aws("s3api", "put-bucket-cors", "--bucket", bucket, "--cors-configuration", config)).Ok();
        var got = await AwsJson("s3api", "get-bucket-cors", "--bucket", bucket);
        var rules = got.GetProperty("CORSRules");
        Assert.Equal(2, rules.GetArrayLength());
        Assert.Equal("app", rules[0].GetProperty("ID").GetString());
        Assert.Equal(["https://app.example", "http://*.example"], rules[0].GetProperty("AllowedOrigins").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["GET", "PUT"], rules[0].GetProperty("AllowedMethods").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["*"], rules[0].GetProperty("AllowedHeaders").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ETag"], rules[0].GetProperty("ExposeHeaders").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3000, rules[0].GetProperty("MaxAgeSeconds").GetInt32());
        Assert.Equal(["HEAD"], rules[1].GetProperty("AllowedMethods").EnumerateArray().Select(e => e.GetString()));

        (await Aws("s3api", "put-bucket-cors", "--bucket", bucket, "--cors-configuration",
            """{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}""")).Failed("InvalidRequest");
        Assert.Equal(2, (await AwsJson("s3api", "get-bucket-cors", "--bucket", bucket)).GetProperty("CORSRules").GetArrayLength());

        (await Aws("s3api", "delete-bucket-cors", "--bucket", bucket)).Ok();
        (await Aws("s3api", "get-bucket-cors", "--bucket", bucket)).Failed("NoSuchCORSConfiguration");
    }
}

/// <summary><see cref="AwsCliCorsCompatTests"/> against the memory store.</summary>
public sealed class AwsCliCorsMemoryCompatTests : AwsCliCorsCompatTests, IClassFixture<MemoryCompatServer>
{
    public AwsCliCorsMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
