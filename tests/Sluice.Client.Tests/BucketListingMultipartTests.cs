using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Client.Tests;

/// <summary>Buckets, listings with automatic pagination, batch delete and multipart through the embedded server.</summary>
public class BucketListingMultipartTests
{
    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Bucket_lifecycle_and_errors(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("alpha");
        // Creating your own bucket again is us-east-1's legacy success (elsewhere S3 answers 409
        // BucketAlreadyOwnedByYou, which the server's AccessControlTests check outside us-east-1).
        await client.CreateBucketAsync("alpha");
        await client.HeadBucketAsync("alpha");
        Assert.True(await client.BucketExistsAsync("alpha"));
        Assert.False(await client.BucketExistsAsync("beta"));
        var headMissing = await Assert.ThrowsAsync<S3Exception>(() => client.HeadBucketAsync("beta"));
        Assert.Equal("NoSuchBucket", headMissing.Code);
        var buckets = await client.ListBucketsAsync();
        Assert.Contains(buckets.Buckets, b => b.Name == "alpha");
        Assert.Null(await client.GetBucketLocationAsync("alpha"));
        await client.PutObjectAsync(new PutObjectRequest("alpha", "k"), new byte[] { 1 });
        var notEmpty = await Assert.ThrowsAsync<S3Exception>(() => client.DeleteBucketAsync("alpha"));
        Assert.Equal("BucketNotEmpty", notEmpty.Code);
        await client.DeleteObjectAsync("alpha", "k");
        await client.DeleteBucketAsync("alpha");
        Assert.False(await client.BucketExistsAsync("alpha"));
        var badName = await Assert.ThrowsAsync<S3Exception>(() => client.CreateBucketAsync("Bad_Name"));
        Assert.Equal("InvalidBucketName", badName.Code);
        server.AssertProtocol(client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Listing_paginates_v2_and_v1_and_batch_delete_clears(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("many");
        var keys = Enumerable.Range(0, 1203).Select(i => (i % 3 == 0 ? "dir/" : "") + $"key {i:D5}&ü").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, ct) =>
            await client.PutObjectAsync(new PutObjectRequest("many", k), new byte[] { 7 }, ct));
        var expected = keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

        var v2 = new List<string>();
        await foreach (ListedObject o in client.ListObjectsV2Async(new ListObjectsRequest("many")))
        {
            v2.Add(o.Key);
        }

        Assert.Equal(expected, v2);
        int pages = 0;
        await foreach (ListBucketResult page in client.ListObjectsV2PagesAsync(new ListObjectsRequest("many") { MaxKeys = 100 }))
        {
            pages++;
        }

        Assert.Equal(13, pages);

        var v1 = new List<string>();
        await foreach (ListedObject o in client.ListObjectsV1Async(new ListObjectsRequest("many") { MaxKeys = 250 }))
        {
            v1.Add(o.Key);
        }

        Assert.Equal(expected, v1);

        var prefixes = new List<string>();
        int topLevel = 0;
        await foreach (ListBucketResult page in client.ListObjectsV2PagesAsync(new ListObjectsRequest("many") { Delimiter = "/" }))
        {
            prefixes.AddRange(page.CommonPrefixes);
            topLevel += page.Contents.Count;
        }

        Assert.Equal(["dir/"], prefixes);
        Assert.Equal(802, topLevel);

        var deleted = await client.DeleteObjectsAsync("many", keys.Append("never-existed"));
        Assert.Empty(deleted.Errors);
        Assert.Equal(1204, deleted.Deleted.Count);
        Assert.Empty(await client.ListObjectsV2PageAsync(new ListObjectsRequest("many")) is { } r ? r.Contents : []);
        server.AssertProtocol(client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Multipart_upload_copy_list_complete_and_abort(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("mpu");
        const int PartSize = 5 * 1024 * 1024;
        byte[] source = RandomNumberGenerator.GetBytes(PartSize + 1000);
        await client.PutObjectAsync(new PutObjectRequest("mpu", "source"), source);

        string uploadId = await client.CreateMultipartUploadAsync(new PutObjectRequest("mpu", "big") { ContentType = "application/x-big", ChecksumAlgorithm = ChecksumAlgorithm.Crc32C });
        byte[] part1 = RandomNumberGenerator.GetBytes(PartSize);
        var p1 = await client.UploadPartAsync(new UploadPartRequest("mpu", "big", uploadId, 1) { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C }, part1);
        var p2 = await client.UploadPartCopyAsync(new UploadPartCopyRequest("mpu", "source", "mpu", "big", uploadId, 2) { SourceRangeStart = 10, SourceRangeEnd = PartSize + 9 });
        byte[] part3 = RandomNumberGenerator.GetBytes(1234);
        var p3 = await client.UploadPartAsync(new UploadPartRequest("mpu", "big", uploadId, 3) { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C }, new MemoryStream(part3), part3.Length);

        var listed = new List<ListedPart>();
        await foreach (ListedPart p in client.ListPartsAsync("mpu", "big", uploadId))
        {
            listed.Add(p);
        }

        Assert.Equal([1, 2, 3], listed.Select(p => p.PartNumber));
        Assert.Equal(p1.ETag, listed[0].ETag);
        var uploads = new List<ListedUpload>();
        await foreach (ListedUpload u in client.ListMultipartUploadsAsync("mpu"))
        {
            uploads.Add(u);
        }

        Assert.Single(uploads, u => u.UploadId == uploadId && u.Key == "big");

        var done = await client.CompleteMultipartUploadAsync("mpu", "big", uploadId, [p3, p1, p2]);
        Assert.EndsWith("-3\"", done.ETag);
        byte[] expected = [.. part1, .. source.AsSpan(10, PartSize), .. part3];
        byte[] actual = new byte[expected.Length];
        var got = await client.GetObjectAsync(new GetObjectRequest("mpu", "big"), actual);
        Assert.Equal(expected, actual);
        Assert.Equal("application/x-big", got.ContentType);

        string abandoned = await client.CreateMultipartUploadAsync(new PutObjectRequest("mpu", "gone"));
        await client.UploadPartAsync(new UploadPartRequest("mpu", "gone", abandoned, 1), new byte[10]);
        await client.AbortMultipartUploadAsync("mpu", "gone", abandoned);
        var noUpload = await Assert.ThrowsAsync<S3Exception>(() => client.UploadPartAsync(new UploadPartRequest("mpu", "gone", abandoned, 2), new byte[10]));
        Assert.Equal("NoSuchUpload", noUpload.Code);
        var tooSmall = await Assert.ThrowsAsync<S3Exception>(async () =>
        {
            string id = await client.CreateMultipartUploadAsync(new PutObjectRequest("mpu", "small"));
            var a = await client.UploadPartAsync(new UploadPartRequest("mpu", "small", id, 1), new byte[10]);
            var b = await client.UploadPartAsync(new UploadPartRequest("mpu", "small", id, 2), new byte[10]);
            await client.CompleteMultipartUploadAsync("mpu", "small", id, [a, b]);
        });
        Assert.Equal("EntityTooSmall", tooSmall.Code);
        server.AssertProtocol(client);
    }
}
