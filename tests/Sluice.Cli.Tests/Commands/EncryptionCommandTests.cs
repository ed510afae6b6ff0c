using System.Security.Cryptography;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Server.Service.Encryption;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// sluice cp's encryption flags (--sse AES256|aws:kms, --sse-kms-key-id, --sse-c/--sse-c-key, --sse-c-copy-source…)
/// through the real executable against the embedded server, which encrypts at rest: single and multipart uploads read
/// back byte for byte only with their key (a keyless or wrong-key read fails with the server's error), copies into and
/// out of SSE-C, SSE-KMS under a key of the server's key file, sync downloads with a key; and sluice serve refusing a
/// malformed --kms-keys file. RgwAttributeCommandTests does the same against a real RADOS Gateway.
/// </summary>
public sealed class EncryptionCommandTests() : ServerCommandTests("AKIDCLISSE", "cli/sse+secret", "sse")
{
    private static readonly string KeyA = new('a', 32), KeyB = "0123456789abcdef0123456789ABCDEF";

    private protected override IReadOnlyList<KmsKey>? KmsKeys => [new KmsKey("cli-key-1", RandomNumberGenerator.GetBytes(32))];

    private S3Client Client() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    [Fact]
    public async Task Sse_c_objects_are_written_read_and_copied_only_with_their_keys()
    {
        await using var client = Client();
        Ok(Sluice("mb", "s3://ssec"));
        string small = NewFile("small.bin", 1000, 3), big = NewFile("big.bin", 17 << 20, 4);
        foreach (var (name, file) in new[] { ("c-small", small), ("c-big", big) })
        {
            Ok(Sluice("cp", "--sse-c", "--sse-c-key", KeyA, "--part-size", "5MiB", file, $"s3://ssec/{name}"));
            var withoutKey = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("ssec", name));
            Assert.Equal(400, withoutKey.StatusCode);
            var head = await client.HeadObjectAsync(new GetObjectRequest("ssec", name) { CustomerKey = new SseCustomerKey(System.Text.Encoding.ASCII.GetBytes(KeyA)) });
            Assert.Equal("AES256", head.SseCustomerAlgorithm);
            Assert.Equal(new FileInfo(file).Length, head.ContentLength);

            string back = Local(name + ".back");
            var keyless = Sluice("cp", $"s3://ssec/{name}", back);
            Assert.Equal(1, keyless.ExitCode);
            Assert.True(keyless.StdErr.Contains("InvalidRequest", StringComparison.Ordinal), keyless.StdErr);
            var wrong = Sluice("cp", "--sse-c", "--sse-c-key", KeyB, $"s3://ssec/{name}", back);
            Assert.Equal(1, wrong.ExitCode);
            Assert.True(wrong.StdErr.Contains("AccessDenied", StringComparison.Ordinal), wrong.StdErr);
            Assert.False(File.Exists(back));
            Ok(Sluice("cp", "--sse-c", "AES256", "--sse-c-key", KeyA, $"s3://ssec/{name}", back));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(back));
        }

        // Into SSE-C (the key from a file): the copy is encrypted, so a keyless read fails.
        string keyFile = Local("key-b");
        File.WriteAllText(keyFile, KeyB);
        Ok(Sluice("cp", small, "s3://ssec/plain"));
        Ok(Sluice("cp", "--sse-c", "--sse-c-key", "fileb://" + keyFile, "s3://ssec/plain", "s3://ssec/c-copy"));
        Assert.Equal(1, Sluice("cp", "s3://ssec/c-copy", Local("keyless.back")).ExitCode);
        Ok(Sluice("cp", "--sse-c", "--sse-c-key", KeyB, "s3://ssec/c-copy", Local("copy.back")));
        Assert.Equal(File.ReadAllBytes(small), File.ReadAllBytes(Local("copy.back")));

        // Out of SSE-C, with the source's key; a wrong source key is refused.
        Ok(Sluice("cp", "--sse-c-copy-source", "--sse-c-copy-source-key", KeyA, "s3://ssec/c-small", "s3://ssec/decrypted"));
        Ok(Sluice("cp", "s3://ssec/decrypted", Local("decrypted.back")));
        Assert.Equal(File.ReadAllBytes(small), File.ReadAllBytes(Local("decrypted.back")));
        var wrongSource = Sluice("cp", "--sse-c-copy-source", "--sse-c-copy-source-key", KeyB, "s3://ssec/c-small", "s3://ssec/never");
        Assert.Equal(1, wrongSource.ExitCode);
        Assert.True(wrongSource.StdErr.Contains("AccessDenied", StringComparison.Ordinal), wrongSource.StdErr);

        // sync downloads read with the key too.
        Ok(Sluice("sync", "--sse-c", "--sse-c-key", KeyA, "--exclude", "*", "--include", "c-big", "s3://ssec/", Local("synced")));
        Assert.Equal(File.ReadAllBytes(big), File.ReadAllBytes(Local("synced/c-big")));
    }

    [Fact]
    public async Task Sse_s3_and_sse_kms_uploads_report_their_encryption_and_read_back()
    {
        await using var client = Client();
        Ok(Sluice("mb", "s3://sse"));
        string small = NewFile("s.bin", 1000, 5), big = NewFile("b.bin", 17 << 20, 6);
        foreach (var (name, file) in new[] { ("small", small), ("big", big) })
        {
            Ok(Sluice("cp", "--sse", "AES256", "--part-size", "5MiB", file, $"s3://sse/s3-{name}"));
            Assert.Equal("AES256", (await client.HeadObjectAsync("sse", "s3-" + name)).ServerSideEncryption);
            Ok(Sluice("cp", "--sse", "aws:kms", "--sse-kms-key-id", "cli-key-1", "--part-size", "5MiB", file, $"s3://sse/kms-{name}"));
            var head = await client.HeadObjectAsync("sse", "kms-" + name);
            Assert.Equal(("aws:kms", "cli-key-1"), (head.ServerSideEncryption, head.SseKmsKeyId));
            foreach (string key in new[] { "s3-" + name, "kms-" + name })
            {
                Ok(Sluice("cp", $"s3://sse/{key}", Local(key + ".back")));
                Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Local(key + ".back")));
            }
        }
        var unknown = Sluice("cp", "--sse", "aws:kms", "--sse-kms-key-id", "no-such-key", small, "s3://sse/never");
        Assert.Equal(1, unknown.ExitCode);
        Assert.True(unknown.StdErr.Contains("KMS.NotFoundException", StringComparison.Ordinal), unknown.StdErr);
    }

    [Fact]
    public void Serve_refuses_a_malformed_kms_key_file()
    {
        string file = Local("kms-keys");
        File.WriteAllText(file, "# one key, too short\nkey-1 " + Convert.ToBase64String(new byte[16]) + "\n");
        var r = Sluice("serve", "--memory", "--listen", "127.0.0.1:0", "--kms-keys", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Matches("^sluice: --kms-keys: .*kms-keys:2: the key of 'key-1' is not 32 bytes in base64\n$", r.StdErr);
    }
}
