using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Encryption at rest through Debian's python3-boto3 (Scripts/boto3_sse.py): SSE-C put, get and 20 random ranges,
/// head, missing and wrong keys; copy_object between SSE-C keys; SSE-S3 and SSE-KMS; s3transfer's multipart upload and
/// parallel ranged download with SSE-C and SSE-S3; bucket default encryption.
/// </summary>
public class Boto3EncryptionCompatTests : IClassFixture<SseCompatServer>
{
    private static readonly string s_script = Path.Combine(AppContext.BaseDirectory, "Compat", "Scripts", "boto3_sse.py");
    private readonly CompatServer _s;
    private readonly Dictionary<string, string> _env;

    public Boto3EncryptionCompatTests(SseCompatServer server) : this((CompatServer)server)
    {
    }

    private protected Boto3EncryptionCompatTests(CompatServer server)
    {
        _s = server;
        _env = _s.AwsProfileEnvironment("boto");
        _env["PYTHONDONTWRITEBYTECODE"] = "1";
    }

    private static (string Code, int Status) Error(JsonElement e) => (e[0].GetString()!, e[1].GetInt32());

    [ClientFact(S3Client.Boto3)]
    public async Task Sse_c_sse_s3_sse_kms_and_bucket_defaults_round_trip()
    {
        var (large, data) = _s.RandomFile(20 * 1024 * 1024 + 777, "boto-sse");
        var r = (await _s.RunAsync(Clients.Python, [s_script, _s.Endpoint, "boto-sse", SseCompatServer.KmsKeyId, large], _env)).Ok();
        var o = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("AES256", o.GetProperty("ssecAlgorithm").GetString());
        Assert.Equal(700_000, o.GetProperty("ssecHeadLength").GetInt64());
        Assert.Equal(("InvalidRequest", 400), Error(o.GetProperty("ssecMissing")));
        Assert.Equal(("AccessDenied", 403), Error(o.GetProperty("ssecWrong")));
        Assert.Equal(("AccessDenied", 403), Error(o.GetProperty("copyOldKey")));
        Assert.True(o.GetProperty("s3ETagIsMd5").GetBoolean());
        Assert.Equal("AES256", o.GetProperty("s3Header").GetString());
        Assert.Equal(SseCompatServer.KmsKeyId, o.GetProperty("kmsKey").GetString());
        Assert.Equal(("KMS.NotFoundException", 400), Error(o.GetProperty("kmsUnknown")));
        Assert.Equal(data.Length, o.GetProperty("bigSize").GetInt64());
        Assert.Equal(("ServerSideEncryptionConfigurationNotFoundError", 404), Error(o.GetProperty("noConfig")));
        Assert.Equal("AES256", o.GetProperty("config").GetString());
        Assert.Equal("AES256", o.GetProperty("defaulted").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("afterDelete").ValueKind);
    }
}

/// <summary><see cref="Boto3EncryptionCompatTests"/> against the memory store.</summary>
public sealed class Boto3EncryptionMemoryCompatTests : Boto3EncryptionCompatTests, IClassFixture<SseMemoryCompatServer>
{
    public Boto3EncryptionMemoryCompatTests(SseMemoryCompatServer server) : base(server)
    {
    }
}
