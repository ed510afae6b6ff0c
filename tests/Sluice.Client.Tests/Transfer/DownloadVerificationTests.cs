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
    /// What S3 answers to HEAD ?partNumber=1 of a multipart object: the first part's length and range, and the part count.
    /// </summary>
    private static Func<string, string?> PartOneHead(string key, long partSize, long objectSize, int parts, string etag) => head =>
        head.StartsWith("HEAD ", StringComparison.Ordinal) && head.Contains($"/{key}?partNumber=1 ", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture,
                $"HTTP/1.1 206 Partial Content\r\nContent-Length: {partSize}\r\nContent-Range: bytes 0-{partSize - 1}/{objectSize}\r\n" +
                $"ETag: {etag}\r\nx-amz-mp-parts-count: {parts}\r\nx-amz-request-id: proxy\r\n\r\n")
            : null;

    /// <summary>A multipart upload without checksums in parts of the given sizes, in order.</summary>
    private async Task<(byte[] Data, string ETag)> PutPartsPlainAsync(string bucket, string key, int[] partSizes, int seed)
    {
        var data = TransferServerFixture.RandomBytes(partSizes.Sum(), seed);
        string uploadId = await fx.Client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, key));
        var parts = new List<CompletedPart>();
        for (int i = 0, offset = 0; i < partSizes.Length; offset += partSizes[i], i++)
        {
            var part = await fx.Client.UploadPartAsync(new UploadPartRequest(bucket, key, uploadId, i + 1), data.AsMemory(offset, partSizes[i]));
            parts.Add(part.ToCompletedPart());
        }
        var done = await fx.Client.CompleteMultipartUploadAsync(bucket, key, uploadId, parts);
        Assert.EndsWith($"-{parts.Count}\"", done.ETag, StringComparison.Ordinal);
        return (data, done.ETag);
    }

    /// <summary>
    /// What S3 answers to HEAD ?partNumber=i for i = 1..<paramref name="answered"/> (each part's length and range, the
    /// part count); later part numbers are answered 501, as by a server that cannot read by part (the embedded one can).
    /// </summary>
    private static Func<string, string?> PartHeads(string key, int[] partSizes, int answered, string etag) => head =>
    {
        if (!head.StartsWith("HEAD ", StringComparison.Ordinal)) return null;
        long offset = 0;
        for (int i = 0; i < answered; offset += partSizes[i], i++)
        {
            if (!head.Contains(string.Create(CultureInfo.InvariantCulture, $"/{key}?partNumber={i + 1} "), StringComparison.Ordinal)) continue;
            return string.Create(CultureInfo.InvariantCulture,
                $"HTTP/1.1 206 Partial Content\r\nContent-Length: {partSizes[i]}\r\nContent-Range: bytes {offset}-{offset + partSizes[i] - 1}/{partSizes.Sum()}\r\n" +
                $"ETag: {etag}\r\nx-amz-mp-parts-count: {partSizes.Length}\r\nx-amz-request-id: proxy\r\n\r\n");
        }
        return NoPartReads(head);
    };

    /// <summary>
    /// HEAD ?partNumber=i answered 501 NotImplemented, as a server that cannot read by part does (the embedded server
    /// now can, so the proxy plays that server); every other request is relayed.
    /// </summary>
    private static string? NoPartReads(string head) =>
        head.StartsWith("HEAD ", StringComparison.Ordinal) && head.Contains("?partNumber=", StringComparison.Ordinal)
            ? "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nx-amz-request-id: proxy\r\n\r\n"
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
        // A server that cannot tell part sizes (partNumber reads answer 501): the multipart ETag cannot be checked.
        var (data, _) = await PutMultipartPlainAsync(bucket, "opaque", 11 * MiB, 5 * MiB, 7);
        await using var proxy = Proxy(fx, answer: NoPartReads);
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

    /// <summary>Uploader parts of 5, 7, 5 and 3 MiB: 4 parts, as many as 20 MiB cut in parts of the first one's 5 MiB.</summary>
    private static readonly int[] UnevenFitting = [5 * MiB, 7 * MiB, 5 * MiB, 3 * MiB];

    [Fact]
    public async Task An_uneven_multipart_object_whose_part_count_fits_uniform_parts_is_verified_over_its_exact_parts()
    {
        string bucket = await fx.NewBucketAsync();
        var (data, etag) = await PutPartsPlainAsync(bucket, "uneven", UnevenFitting, 10);
        await using var proxy = Proxy(fx, answer: PartHeads("uneven", UnevenFitting, UnevenFitting.Length, etag));
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "uneven");
        var result = await engine.DownloadFileAsync(bucket, "uneven", target);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.True(result.ChecksumVerified);
        Assert.Equal(TransferVerification.MultipartETag, result.Verification);
        // Every part's size was asked; nothing was fetched twice.
        Assert.Contains(proxy.RequestHeads, h => h.StartsWith("HEAD ", StringComparison.Ordinal) && h.Contains("partNumber=4 ", StringComparison.Ordinal));
        Assert.Equal(4, proxy.RequestHeads.Count(h => h.StartsWith("GET ", StringComparison.Ordinal)));

        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "uneven"));

        // A stream cannot be hashed again over the exact boundaries: said, not failed, and not passed off as verified.
        using var output = new MemoryStream();
        var streamed = await engine.DownloadToStreamAsync(bucket, "uneven", output);
        Assert.Equal(data, output.ToArray());
        Assert.False(streamed.ChecksumVerified);
        Assert.Contains("uneven", streamed.UnverifiedReason, StringComparison.Ordinal);
        Assert.Equal(0, engine.Memory.Reserved);
    }

    [Fact]
    public async Task An_uneven_multipart_object_whose_part_sizes_cannot_be_had_is_unverified_not_failed()
    {
        string bucket = await fx.NewBucketAsync();
        var (data, etag) = await PutPartsPlainAsync(bucket, "uneven-unknown", UnevenFitting, 11);
        // Only part 1 is told (5 MiB, 4 parts): the uniform parts fit, the ETag does not, part 2 answers 501.
        await using var proxy = Proxy(fx, answer: PartHeads("uneven-unknown", UnevenFitting, 1, etag));
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        string target = Path.Combine(fx.NewDirectory(), "uneven-unknown");
        var result = await engine.DownloadFileAsync(bucket, "uneven-unknown", target);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.False(result.ChecksumVerified);
        Assert.Equal(TransferVerification.None, result.Verification);
        Assert.Contains("uneven", result.UnverifiedReason, StringComparison.Ordinal);
        Assert.Contains("partNumber", result.UnverifiedReason, StringComparison.Ordinal);

        using var output = new MemoryStream();
        var streamed = await engine.DownloadToStreamAsync(bucket, "uneven-unknown", output);
        Assert.Equal(data, output.ToArray());
        Assert.False(streamed.ChecksumVerified);
        Assert.Contains("uneven", streamed.UnverifiedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uneven_multipart_object_whose_part_count_shows_it_is_verified_as_it_streams()
    {
        string bucket = await fx.NewBucketAsync();
        // 5, 5 and 7 MiB: 17 MiB in parts of 5 MiB would be 4, the ETag says 3, so the sizes are asked before the bytes come.
        int[] sizes = [5 * MiB, 5 * MiB, 7 * MiB];
        var (data, etag) = await PutPartsPlainAsync(bucket, "uneven-count", sizes, 12);
        await using var proxy = Proxy(fx, answer: PartHeads("uneven-count", sizes, sizes.Length, etag));
        await using var client = ClientVia(proxy);
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());

        using var output = new MemoryStream();
        var result = await engine.DownloadToStreamAsync(bucket, "uneven-count", output);
        Assert.Equal(data, output.ToArray());
        Assert.True(result.ChecksumVerified);
        Assert.Equal(TransferVerification.MultipartETag, result.Verification);
    }
}
