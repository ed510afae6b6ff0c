using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Tests.Faults;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice cp` downloads that cannot be checked say so once on stderr (and still succeed); damaged bytes that a
/// second fetch cannot repair make the command fail with one line and a non-zero exit, leaving no file.
/// </summary>
public sealed class CpVerificationTests() : ServerCommandTests("AKIDCLIVERIFY", "cli/verify+secret", "cli-verify")
{
    private S3Client Client() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_download_nothing_can_verify_warns_once_and_a_verified_one_does_not()
    {
        Ok(Sluice("mb", "s3://unverified"));
        await using var client = Client();
        // Uploaded in parts without checksums: only the multipart ETag can check the bytes, and only with the part sizes.
        var data = Bytes(6 << 20, 1);
        string id = await client.CreateMultipartUploadAsync(new PutObjectRequest("unverified", "parts"));
        var p1 = await client.UploadPartAsync(new UploadPartRequest("unverified", "parts", id, 1), data.AsMemory(0, 5 << 20));
        var p2 = await client.UploadPartAsync(new UploadPartRequest("unverified", "parts", id, 2), data.AsMemory(5 << 20));
        await client.CompleteMultipartUploadAsync("unverified", "parts", id, [p1.ToCompletedPart(), p2.ToCompletedPart()]);

        // The embedded server tells them (HEAD ?partNumber=1): the ETag is recomputed and nothing is said.
        var told = Ok(Sluice("cp", "s3://unverified/parts", Path.Combine(Root, "told.bin")));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(Root, "told.bin")));
        Assert.Equal("", told.StdErr);

        // A server that does not (as S3-compatible stores without part reads answer: 501) leaves nothing to check with.
        await using var proxy = new FaultProxy(Server.LocalEndPoint, _ => Fault.None, answer: head =>
            head.StartsWith("HEAD /unverified/parts?partNumber=", StringComparison.Ordinal)
                ? "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nx-amz-request-id: proxy\r\n\r\n"
                : null);
        var noParts = new Dictionary<string, string?>(Environment()) { ["AWS_ENDPOINT_URL"] = proxy.Endpoint.ToString() };
        string back = Path.Combine(Root, "parts.bin");
        var file = Ok(SluiceProcess.Run(noParts, null, "cp", "--quiet", "s3://unverified/parts", back));
        Assert.Equal(data, File.ReadAllBytes(back));
        Assert.Matches("^sluice: warning: s3://unverified/parts could not be verified: [^\n]*partNumber[^\n]*\n$", file.StdErr);
        Assert.Contains(proxy.RequestHeads, h => h.StartsWith("HEAD /unverified/parts?partNumber=1 ", StringComparison.Ordinal));

        var stdout = Ok(SluiceProcess.Run(noParts, null, "cp", "s3://unverified/parts", "-"));
        Assert.NotEmpty(stdout.StdOut); // binary, decoded as text by the runner: only the warning is checked here
        Assert.Matches("^sluice: warning: s3://unverified/parts could not be verified: [^\n]*\n$", stdout.StdErr);

        // sync says it too, once for the whole run (its downloads were silent before).
        var synced = Ok(SluiceProcess.Run(noParts, null, "sync", "--quiet", "s3://unverified/", Path.Combine(Root, "synced")));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(Root, "synced", "parts")));
        Assert.Matches("^sluice: warning: s3://unverified/parts could not be verified: [^\n]*\n$", synced.StdErr);

        // A plain PUT without a checksum is checked by its MD5 ETag: nothing to warn about.
        await client.PutObjectAsync(new PutObjectRequest("unverified", "plain"), Bytes(100_000, 2));
        var plain = Ok(Sluice("cp", "s3://unverified/plain", Path.Combine(Root, "plain.bin")));
        Assert.Equal("", plain.StdErr);
    }

    [Fact]
    public async Task A_download_damaged_every_time_fails_with_one_line_and_leaves_no_file()
    {
        Ok(Sluice("mb", "s3://damaged"));
        await using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest("damaged", "obj"), Bytes(1 << 20, 3));
        await using var proxy = new FaultProxy(Server.LocalEndPoint, _ => Fault.None,
            corruptResponseTo: head => head.StartsWith("GET /damaged/obj ", StringComparison.Ordinal));

        string back = Path.Combine(Root, "damaged.bin");
        OneLineError(Sluice("cp", "--endpoint", proxy.Endpoint.ToString(), "s3://damaged/obj", back), 1,
            "^sluice: .*s3://damaged/obj: the downloaded bytes do not match the object's ETag");
        Assert.True(proxy.Corrupted >= 3);
        Assert.Empty(Directory.GetFiles(Root, "damaged.bin*"));
    }
}
