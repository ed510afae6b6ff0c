using System.Security.Cryptography;
using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Encryption at rest through Debian's awscli: <c>s3api</c> with SSE-C (--sse-customer-algorithm/-key, the key again
/// on get and head, a wrong or missing key refused), SSE-S3 (--server-side-encryption AES256), SSE-KMS
/// (--server-side-encryption aws:kms --ssekms-key-id), copy-object between SSE-C keys, bucket default encryption, and
/// <c>s3 cp</c> of a multipart-sized file with --sse and --sse-c and back, byte for byte, plus ranged gets.
/// </summary>
public class AwsCliEncryptionCompatTests : AwsCliTestBase, IClassFixture<SseCompatServer>
{
    private const string KeyA = "0123456789abcdef0123456789abcdef"; // 32 bytes: awscli sends them base64-encoded, with their MD5
    private const string KeyB = "fedcba9876543210fedcba9876543210";

    public AwsCliEncryptionCompatTests(SseCompatServer server) : base(server)
    {
    }

    private protected AwsCliEncryptionCompatTests(CompatServer server) : base(server)
    {
    }

    private static byte[] Md5(byte[] data) => Handlers.S3TestClient.Md5(data);

    private string Bucket => _s.Server.StorageDescription.StartsWith("disk", StringComparison.Ordinal) ? "cli-sse" : "cli-sse-mem";

    [ClientFact(S3Client.AwsCli)]
    public async Task S3api_sse_c_needs_its_key_and_copies_between_keys()
    {
        string bucket = Bucket + "-c";
        (await Aws("s3api", "create-bucket", "--bucket", bucket)).Ok();
        var (path, data) = _s.RandomFile(300_000, "ssec");
        var put = await AwsJson("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", path,
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA);
        Assert.Equal("AES256", put.GetProperty("SSECustomerAlgorithm").GetString());
        Assert.NotEqual("\"" + Convert.ToHexStringLower(Md5(data)) + "\"", put.GetProperty("ETag").GetString());

        string outPath = _s.NewPath("ssec-out");
        var got = await AwsJson("s3api", "get-object", "--bucket", bucket, "--key", "k",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA, outPath);
        Assert.Equal(data, File.ReadAllBytes(outPath));
        Assert.Equal("AES256", got.GetProperty("SSECustomerAlgorithm").GetString());
        string ranged = _s.NewPath("ssec-range");
        (await Aws("s3api", "get-object", "--bucket", bucket, "--key", "k", "--range", "bytes=65530-131080",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA, ranged)).Ok();
        Assert.Equal(data[65530..131081], File.ReadAllBytes(ranged));
        var head = await AwsJson("s3api", "head-object", "--bucket", bucket, "--key", "k",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA);
        Assert.Equal(300_000, head.GetProperty("ContentLength").GetInt64());

        (await Aws("s3api", "get-object", "--bucket", bucket, "--key", "k", _s.NewPath("no-key"))).Failed("InvalidRequest");
        (await Aws("s3api", "get-object", "--bucket", bucket, "--key", "k",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyB, _s.NewPath("wrong-key"))).Failed("AccessDenied");

        (await Aws("s3api", "copy-object", "--bucket", bucket, "--key", "k2", "--copy-source", bucket + "/k",
            "--copy-source-sse-customer-algorithm", "AES256", "--copy-source-sse-customer-key", KeyA,
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyB)).Ok();
        string copied = _s.NewPath("ssec-copy");
        (await Aws("s3api", "get-object", "--bucket", bucket, "--key", "k2",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyB, copied)).Ok();
        Assert.Equal(data, File.ReadAllBytes(copied));
        (await Aws("s3api", "get-object", "--bucket", bucket, "--key", "k2",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA, _s.NewPath("old-key"))).Failed("AccessDenied");
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task S3api_sse_s3_sse_kms_and_bucket_default()
    {
        string bucket = Bucket + "-s3";
        (await Aws("s3api", "create-bucket", "--bucket", bucket)).Ok();
        var (path, data) = _s.RandomFile(200_000, "sses3");
        var s3 = await AwsJson("s3api", "put-object", "--bucket", bucket, "--key", "s3", "--body", path, "--server-side-encryption", "AES256");
        Assert.Equal("AES256", s3.GetProperty("ServerSideEncryption").GetString());
        Assert.Equal("\"" + Convert.ToHexStringLower(Md5(data)) + "\"", s3.GetProperty("ETag").GetString());
        var kms = await AwsJson("s3api", "put-object", "--bucket", bucket, "--key", "kms", "--body", path,
            "--server-side-encryption", "aws:kms", "--ssekms-key-id", SseCompatServer.KmsKeyId);
        Assert.Equal("aws:kms", kms.GetProperty("ServerSideEncryption").GetString());
        Assert.Equal(SseCompatServer.KmsKeyId, kms.GetProperty("SSEKMSKeyId").GetString());
        (await Aws("s3api", "put-object", "--bucket", bucket, "--key", "bad", "--body", path,
            "--server-side-encryption", "aws:kms", "--ssekms-key-id", "no-such-key")).Failed("KMS.NotFoundException");
        foreach (string key in new[] { "s3", "kms" })
        {
            string outPath = _s.NewPath(key);
            var got = await AwsJson("s3api", "get-object", "--bucket", bucket, "--key", key, outPath);
            Assert.Equal(data, File.ReadAllBytes(outPath));
            Assert.Equal(key == "s3" ? "AES256" : "aws:kms", got.GetProperty("ServerSideEncryption").GetString());
        }

        (await Aws("s3api", "get-bucket-encryption", "--bucket", bucket)).Failed("ServerSideEncryptionConfigurationNotFoundError");
        (await Aws("s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration",
            "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"alias/other\"}}]}")).Ok();
        var config = await AwsJson("s3api", "get-bucket-encryption", "--bucket", bucket);
        var rule = config.GetProperty("ServerSideEncryptionConfiguration").GetProperty("Rules")[0].GetProperty("ApplyServerSideEncryptionByDefault");
        Assert.Equal(("aws:kms", "alias/other"), (rule.GetProperty("SSEAlgorithm").GetString(), rule.GetProperty("KMSMasterKeyID").GetString()));
        var byDefault = await AwsJson("s3api", "put-object", "--bucket", bucket, "--key", "default", "--body", path);
        Assert.Equal("alias/other", byDefault.GetProperty("SSEKMSKeyId").GetString());
        (await Aws("s3api", "delete-bucket-encryption", "--bucket", bucket)).Ok();
        var plain = await AwsJson("s3api", "put-object", "--bucket", bucket, "--key", "plain", "--body", path);
        Assert.False(plain.TryGetProperty("ServerSideEncryption", out _));
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task S3_cp_round_trips_multipart_objects_with_sse_and_sse_c()
    {
        string bucket = Bucket + "-cp";
        (await Aws("s3api", "create-bucket", "--bucket", bucket)).Ok();
        var (path, data) = _s.RandomFile(20 * 1024 * 1024 + 4321, "cp-sse"); // over awscli's 8 MiB multipart threshold
        (await Aws("s3", "cp", path, $"s3://{bucket}/s3", "--sse", "AES256")).Ok();
        (await Aws("s3", "cp", path, $"s3://{bucket}/c", "--sse-c", "AES256", "--sse-c-key", KeyA)).Ok();
        (await Aws("s3", "cp", path, $"s3://{bucket}/kms", "--sse", "aws:kms", "--sse-kms-key-id", SseCompatServer.KmsKeyId)).Ok();
        string back = _s.NewPath("cp-back");
        (await Aws("s3", "cp", $"s3://{bucket}/s3", back)).Ok();
        Assert.Equal(data, File.ReadAllBytes(back));
        string backKms = _s.NewPath("cp-back-kms");
        (await Aws("s3", "cp", $"s3://{bucket}/kms", backKms)).Ok();
        Assert.Equal(data, File.ReadAllBytes(backKms));
        string backC = _s.NewPath("cp-back-c");
        (await Aws("s3", "cp", $"s3://{bucket}/c", backC, "--sse-c", "AES256", "--sse-c-key", KeyA)).Ok();
        Assert.Equal(data, File.ReadAllBytes(backC));
        var head = await AwsJson("s3api", "head-object", "--bucket", bucket, "--key", "c", "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA);
        Assert.Equal(data.Length, head.GetProperty("ContentLength").GetInt64());
        string part = _s.NewPath("part-2");
        (await Aws("s3api", "get-object", "--bucket", bucket, "--key", "c", "--part-number", "2",
            "--sse-customer-algorithm", "AES256", "--sse-customer-key", KeyA, part)).Ok();
        Assert.Equal(data[(8 * 1024 * 1024)..(16 * 1024 * 1024)], File.ReadAllBytes(part));
        var listing = await AwsJson("s3api", "list-objects-v2", "--bucket", bucket);
        Assert.All(listing.GetProperty("Contents").EnumerateArray(), o => Assert.Equal(data.Length, o.GetProperty("Size").GetInt64()));
    }
}

/// <summary><see cref="AwsCliEncryptionCompatTests"/> against the memory store.</summary>
public sealed class AwsCliEncryptionMemoryCompatTests : AwsCliEncryptionCompatTests, IClassFixture<SseMemoryCompatServer>
{
    public AwsCliEncryptionMemoryCompatTests(SseMemoryCompatServer server) : base(server)
    {
    }
}
