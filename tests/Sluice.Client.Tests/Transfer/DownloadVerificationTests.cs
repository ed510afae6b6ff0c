using System.Globalization;
using Sluice.Client.Model;
using Sluice.Client.Tests.Faults;
using Sluice.Client.Transfer;
using Sluice.S3.Xml;
using Sluice.Server;

namespace Sluice.Client.Tests.Transfer;

/// <summary>
/// Downloads of objects stored without a checksum are checked against the ETag (MD5 of a single-part object, MD5 of
/// the part MD5s for a multipart one); a byte flipped on the wire (by the proxy, between client and a real server) is
/// repaired by fetching again, or fails the transfer; nothing verifiable is reported, never passed off as verified.
/// </summary>
public class DownloadVerificationTests(TransferServerFixture fx) : IClassFixture<TransferServerFixture>
{
    private const int MiB = 1 << 20;

    private S3Client ClientVia(FaultProxy proxy) => new(new S3ClientOptions
    {
        Endpoint = proxy.Endpoint,
        AccessKeyId = SluiceServerOptions.DevAccessKey,
        SecretAccessKey = SluiceServerOptions.DevSecretKey,
        Retry = new Retry.RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
    });

    private static FaultProxy Proxy(TransferServerFixture fx, Func<string, bool>? corrupt = null, int corruptions = int.MaxValue,
        Func<string, string?>? answer = null) =>
        new(fx.Server.LocalEndPoint, _ => Fault.None, corruptResponseTo: corrupt, corruptions: corruptions, answer: answer);

    /// <summary>A plain PUT: no x-amz-checksum-*, so the server stores none and the ETag is the MD5.</summary>
    private async Task<byte[]> PutPlainAsync(string bucket, string key, int size, int seed)
    {
        var data = TransferServerFixture.RandomBytes(size, seed);
        var put = await fx.Client.PutObjectAsync(new PutObjectRequest(bucket, key), data);
        var md5 = new byte[Sluice.S3.Checksums.Md5Digest.HashSizeInBytes];
        Sluice.S3.Checksums.Md5Digest.HashData(data, md5);
        Assert.Equal('"' + Convert.ToHexStringLower(md5) + '"', put.ETag);
        var head = await fx.Client.HeadObjectAsync(new GetObjectRequest(bucket, key) { ChecksumMode = true });
        Assert.Null(head.Checksums.ChecksumCrc64Nvme ?? head.Checksums.ChecksumCrc32C ?? head.Checksums.ChecksumCrc32);
        return data;
    }

    /// <summary>A multipart upload without checksums, in parts of <paramref name="partSize"/>: the ETag is "md5-of-md5s-N".</summary>
    private async Task<(byte[] Data, string ETag)> PutMultipartPlainAsync(string bucket, string key, int size, int partSize, int seed)
    {
        var data = TransferServerFixture.RandomBytes(size, seed);
        string uploadId = await fx.Client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, key));
        var parts = new List<CompletedPart>();
        for (int offset = 0, number = 1; offset < size; offset += partSize, number++)
        {
            var part = await fx.Client.UploadPartAsync(new UploadPartRequest(bucket, key, uploadId, number),
                data.AsMemory(offset, Math.Min(partSize, size - offset)));
            parts.Add(part.ToCompletedPart());
        }
        var done = await fx.Client.CompleteMultipartUploadAsync(bucket, key, uploadId, parts);
        Assert.EndsWith($"-{parts.Count}\"", done.ETag, StringComparison.Ordinal);
        return (data, done.ETag);
    }

    /// <summary>
    /// What S3 answers to HEAD ?partNumber=1 of a multipart object (the embedded server answers 501 NotImplemented):
    /// the first part's length and range, and the part count.
    /// </summary>
    private static Func<string, string?> PartOneHead(string key, long partSize, long objectSize, int parts, string etag) => head =>
        head.StartsWith("HEAD ", StringComparison.Ordinal) && head.Contains($"/{key}?partNumber=1 ", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture,
                $"HTTP/1.1 206 Partial Content\r\nContent-Length: {partSize}\r\nContent-Range: bytes 0-{partSize - 1}/{objectSize}\r\n" +
                $"ETag: {etag}\r\nx-amz-mp-parts-count: {parts}\r\nx-amz-request-id: proxy\r\n\r\n")
            : null;

    private static Func<string, bool> GetOf(string key, long rangeStart = -1) => head =>
        head.StartsWith("GET ", StringComparison.Ordinal) && head.Contains($"/{key} ", StringComparison.Ordinal)
        && (rangeStart < 0 || head.Contains(string.Create(CultureInfo.InvariantCulture, $"bytes={rangeStart}-"), StringComparison.Ordinal));

    [Fact]
    public async Task A_plain_put_object_is_verified_by_its_md5_etag_and_a_damaged_answer_fetched_again()
    {
        string bucket = await fx.NewBucketAsync();
        var data = await PutPlainAsync(bucket, "plain", 3 * MiB + 7, 1);
        await using var proxy = Proxy(fx, GetOf("plain"), corruptions: 1);
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "plain");
        var result = await engine.DownloadFileAsync(bucket, "plain", target);

        Assert.Equal(1, proxy.Corrupted);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.True(result.ChecksumVerified);
        Assert.Equal(TransferVerification.Md5ETag, result.Verification);
        Assert.Equal(0, engine.Memory.Reserved);
    }

    [Fact]
    public async Task A_stream_download_checks_a_one_request_object_before_writing_it_and_fetches_a_damaged_one_again()
    {
        string bucket = await fx.NewBucketAsync();
        var data = await PutPlainAsync(bucket, "streamed", 2 * MiB, 2);
        await using var proxy = Proxy(fx, GetOf("streamed"), corruptions: 1);
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        using var output = new MemoryStream();
        var result = await engine.DownloadToStreamAsync(bucket, "streamed", output);

        Assert.Equal(1, proxy.Corrupted);
        Assert.Equal(data, output.ToArray()); // the damaged bytes never reached the stream
        Assert.Equal(TransferVerification.Md5ETag, result.Verification);
    }

    [Fact]
    public async Task A_damaged_part_of_a_plain_object_larger_than_a_part_is_fetched_again()
    {
        string bucket = await fx.NewBucketAsync();
        var data = await PutPlainAsync(bucket, "large", 12 * MiB + 3, 3);
        // The second download part (5 MiB parts), once.
        await using var proxy = Proxy(fx, GetOf("large", 5L * MiB), corruptions: 1);
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "large");
        var result = await engine.DownloadFileAsync(bucket, "large", target);
        Assert.Equal(1, proxy.Corrupted);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal(TransferVerification.Md5ETag, result.Verification);

        // Into memory as well (parts received straight into the array).
        await using var proxy2 = Proxy(fx, GetOf("large", 10L * MiB), corruptions: 1);
        await using var client2 = ClientVia(proxy2);
        using var engine2 = new TransferEngine(client2, TransferServerFixture.SmallParts());
        Assert.Equal(data, await engine2.DownloadBytesAsync(bucket, "large"));
        Assert.Equal(1, proxy2.Corrupted);
        Assert.Equal(0, engine.Memory.Reserved);
        Assert.Equal(0, engine2.Memory.Reserved);
    }

    [Fact]
    public async Task A_part_damaged_every_time_fails_the_transfer_and_leaves_nothing()
    {
        string bucket = await fx.NewBucketAsync();
        await PutPlainAsync(bucket, "bad", 12 * MiB + 3, 4);
        await PutPlainAsync(bucket, "bad-small", 1 * MiB, 5);
        await using var proxy = Proxy(fx, head => GetOf("bad", 5L * MiB)(head) || GetOf("bad-small")(head));
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string dir = fx.NewDirectory();
        var e = await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadFileAsync(bucket, "bad", Path.Combine(dir, "bad")));
        Assert.Contains("ETag", e.Message, StringComparison.Ordinal);
        var small = await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadFileAsync(bucket, "bad-small", Path.Combine(dir, "bad-small")));
        Assert.Contains("fetched 3 times", small.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        Assert.Equal(0, engine.Memory.Reserved);
    }

    [Fact]
    public async Task A_multipart_object_without_checksums_is_verified_by_its_multipart_etag()
    {
        string bucket = await fx.NewBucketAsync();
        // Uploader parts of 6 MiB, download parts of 5 MiB: the boundaries differ.
        int size = 14 * MiB + 11;
        var (data, etag) = await PutMultipartPlainAsync(bucket, "mp", size, 6 * MiB, 6);
        await using var proxy = Proxy(fx, GetOf("mp", 5L * MiB), corruptions: 1, answer: PartOneHead("mp", 6 * MiB, size, 3, etag));
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "mp");
        var result = await engine.DownloadFileAsync(bucket, "mp", target);

        Assert.Equal(1, proxy.Corrupted);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.True(result.ChecksumVerified);
        Assert.Equal(TransferVerification.MultipartETag, result.Verification);
    }

    [Fact]
    public async Task Nothing_verifiable_is_reported_as_unverified_with_the_reason()
    {
        string bucket = await fx.NewBucketAsync();
        // The embedded server cannot tell part sizes (partNumber reads answer 501): the multipart ETag cannot be checked.
        var (data, _) = await PutMultipartPlainAsync(bucket, "opaque", 11 * MiB, 5 * MiB, 7);
        await using var proxy = Proxy(fx);
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "opaque");
        var result = await engine.DownloadFileAsync(bucket, "opaque", target);

        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.False(result.ChecksumVerified);
        Assert.Equal(TransferVerification.None, result.Verification);
        Assert.Contains("partNumber", result.UnverifiedReason, StringComparison.Ordinal);
        // 501 is an answer, not a transient failure: asked once.
        Assert.Single(proxy.RequestHeads, h => h.StartsWith("HEAD ", StringComparison.Ordinal) && h.Contains("partNumber=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_part_damaged_once_is_fetched_again_when_the_object_has_a_stored_checksum()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(16 * MiB + 9, 9);
        using (var up = fx.Engine()) await up.UploadFileAsync(fx.WriteFile(data), bucket, "crc");
        await using var proxy = Proxy(fx, GetOf("crc", 10L * MiB), corruptions: 1);
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "crc");
        var result = await engine.DownloadFileAsync(bucket, "crc", target);
        Assert.Equal(1, proxy.Corrupted);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal(TransferVerification.Checksum, result.Verification);
        // The damaged part was fetched again (the parts before it too, to find it; none after it).
        Assert.Equal(2, proxy.RequestHeads.Count(h => h.Contains(string.Create(CultureInfo.InvariantCulture, $"bytes={10L * MiB}-"), StringComparison.Ordinal)));
        Assert.Equal(1, proxy.RequestHeads.Count(h => h.Contains(string.Create(CultureInfo.InvariantCulture, $"bytes={15L * MiB}-"), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_object_with_a_stored_checksum_is_verified_by_it_without_an_md5()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(11 * MiB, 8);
        using var engine = fx.Engine();
        await engine.UploadFileAsync(fx.WriteFile(data), bucket, "summed");
        await using var proxy = Proxy(fx);
        await using var client = ClientVia(proxy);
        using var down = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "summed");
        var result = await down.DownloadFileAsync(bucket, "summed", target);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal(TransferVerification.Checksum, result.Verification);
        Assert.DoesNotContain(proxy.RequestHeads, h => h.Contains("partNumber", StringComparison.Ordinal));
    }
}
