using System.Buffers;
using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Client.Tests.Compat;

/// <summary>
/// The client against a real Ceph RADOS Gateway (16.x): every operation, multipart, ranged reads, listings over 1000
/// keys, errors; all byte-exact. Skipped unless the gateway is configured (the CI script starts one).
/// </summary>
public class RgwCompatTests
{
    private static string NewBucket(string what) => $"sluice-{what}-{Guid.NewGuid():N}"[..40];

    private static S3Client Client() => new(RgwEnvironment.Current!.Options());

    private static async Task EmptyAndDeleteAsync(S3Client client, string bucket)
    {
        await foreach (ListedUpload u in client.ListMultipartUploadsAsync(bucket))
        {
            await client.AbortMultipartUploadAsync(bucket, u.Key, u.UploadId);
        }

        var keys = new List<string>();
        await foreach (ListedObject o in client.ListObjectsV2Async(new ListObjectsRequest(bucket)))
        {
            keys.Add(o.Key);
        }

        if (keys.Count > 0)
        {
            await client.DeleteObjectsAsync(bucket, keys, quiet: true);
        }

        await client.DeleteBucketAsync(bucket);
    }

    [RgwFact]
    public async Task Buckets_and_credentials()
    {
        await using var client = Client();
        string bucket = NewBucket("bkt");
        await client.CreateBucketAsync(bucket);
        try
        {
            await client.HeadBucketAsync(bucket);
            Assert.True(await client.BucketExistsAsync(bucket));
            Assert.False(await client.BucketExistsAsync(bucket + "x"));
            var all = await client.ListBucketsAsync();
            Assert.Contains(all.Buckets, b => b.Name == bucket);
            _ = await client.GetBucketLocationAsync(bucket); // RGW answers its zonegroup or empty
            var missing = await Assert.ThrowsAsync<S3Exception>(() => client.ListObjectsV2PageAsync(new ListObjectsRequest(bucket + "x")));
            Assert.Equal("NoSuchBucket", missing.Code);
            Assert.NotNull(missing.RequestId);

            await using var badSecret = new S3Client(RgwEnvironment.Current!.Options() with { SecretAccessKey = "not-the-secret" });
            var sig = await Assert.ThrowsAsync<S3Exception>(() => badSecret.ListBucketsAsync());
            Assert.Equal("SignatureDoesNotMatch", sig.Code);
            Assert.Equal(403, sig.StatusCode);
            await using var badKey = new S3Client(RgwEnvironment.Current!.Options() with { AccessKeyId = "AKIDNOSUCHKEY000000" });
            var key = await Assert.ThrowsAsync<S3Exception>(() => badKey.ListBucketsAsync());
            Assert.Equal("InvalidAccessKeyId", key.Code);
        }
        finally
        {
            await EmptyAndDeleteAsync(client, bucket);
        }

        Assert.False(await client.BucketExistsAsync(bucket));
    }

    [RgwFact]
    public async Task Objects_ranges_conditions_copy_and_errors()
    {
        await using var client = Client();
        string bucket = NewBucket("obj");
        await client.CreateBucketAsync(bucket);
        try
        {
            byte[] payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 7);
            var put = await client.PutObjectAsync(new PutObjectRequest(bucket, "dir/ü key+1")
            {
                ContentType = "application/x-sluice",
                CacheControl = "max-age=60",
                Metadata = new Dictionary<string, string> { ["colour"] = "green" },
                ChecksumAlgorithm = ChecksumAlgorithm.Crc32C,
            }, payload);
            Assert.NotNull(put.ETag);

            byte[] target = new byte[payload.Length];
            var got = await client.GetObjectAsync(new GetObjectRequest(bucket, "dir/ü key+1"), target);
            Assert.Equal(payload, target);
            Assert.Equal(put.ETag, got.ETag);
            Assert.Equal("application/x-sluice", got.ContentType);
            Assert.Equal("max-age=60", got.CacheControl);
            Assert.Equal("green", got.UserMetadata["colour"]);

            var writer = new ArrayBufferWriter<byte>();
            var ranged = await client.GetObjectAsync(GetObjectRequest.ForRange(bucket, "dir/ü key+1", 1000, 1999), writer);
            Assert.Equal(payload.AsSpan(1000, 1000).ToArray(), writer.WrittenSpan.ToArray());
            Assert.Equal((1000L, 1999L), ranged.Range);
            Assert.Equal(payload.Length, ranged.ObjectSize);
            using var tail = new MemoryStream();
            await client.GetObjectAsync(new GetObjectRequest(bucket, "dir/ü key+1") { RangeStart = payload.Length - 100 }, tail);
            Assert.Equal(payload.AsSpan(payload.Length - 100).ToArray(), tail.ToArray());

            byte[] streamed = RandomNumberGenerator.GetBytes(1_000_003);
            await client.PutObjectAsync(new PutObjectRequest(bucket, "streamed"), new MemoryStream(streamed), streamed.Length);
            Assert.Equal(streamed, await client.GetObjectBytesAsync(bucket, "streamed"));

            var head = await client.HeadObjectAsync(bucket, "dir/ü key+1");
            Assert.Equal(payload.Length, head.ContentLength);
            var notModified = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(
                new GetObjectRequest(bucket, "dir/ü key+1") { Conditions = new() { IfNoneMatch = put.ETag } }, target));
            Assert.Equal(304, notModified.StatusCode);
            var failed = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync(
                new GetObjectRequest(bucket, "dir/ü key+1") { Conditions = new() { IfMatch = "\"0000\"" } }));
            Assert.Equal(412, failed.StatusCode);
            var overridden = await client.GetObjectAsync(new GetObjectRequest(bucket, "streamed")
            { RangeStart = 0, RangeEnd = 9, ResponseContentType = "text/x-override", ResponseContentDisposition = "attachment" }, new byte[10]);
            Assert.Equal("text/x-override", overridden.ContentType);
            Assert.Equal("attachment", overridden.ContentDisposition);

            await client.PutObjectAsync(new PutObjectRequest(bucket, "once") { Conditions = new() { IfNoneMatch = "*" } }, new byte[] { 1 });
            var again = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(
                new PutObjectRequest(bucket, "once") { Conditions = new() { IfNoneMatch = "*" } }, new byte[] { 2 }));
            Assert.Equal(412, again.StatusCode);

            var copy = await client.CopyObjectAsync(new CopyObjectRequest(bucket, "dir/ü key+1", bucket, "copy"));
            Assert.Equal(put.ETag, copy.ETag);
            Assert.Equal("green", (await client.HeadObjectAsync(bucket, "copy")).UserMetadata["colour"]);
            await client.CopyObjectAsync(new CopyObjectRequest(bucket, "dir/ü key+1", bucket, "replaced")
            {
                ReplaceMetadata = true,
                ContentType = "text/plain",
                Metadata = new Dictionary<string, string> { ["shape"] = "round" },
            });
            var replaced = await client.HeadObjectAsync(bucket, "replaced");
            Assert.Equal("text/plain", replaced.ContentType);
            Assert.Equal("round", replaced.UserMetadata["shape"]);
            Assert.False(replaced.UserMetadata.ContainsKey("colour"));
            // RGW 16 ignores x-amz-copy-source-if-match (the embedded server's tests cover copy-source conditions).
            var missingSource = await Assert.ThrowsAsync<S3Exception>(() => client.CopyObjectAsync(
                new CopyObjectRequest(bucket, "no such source", bucket, "never")));
            Assert.Equal("NoSuchKey", missingSource.Code);

            await client.DeleteObjectAsync(bucket, "copy");
            var gone = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectBytesAsync(bucket, "copy"));
            Assert.Equal("NoSuchKey", gone.Code);
            var goneHead = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync(bucket, "copy"));
            Assert.Equal(404, goneHead.StatusCode);
        }
        finally
        {
            await EmptyAndDeleteAsync(client, bucket);
        }
    }

    [RgwFact]
    public async Task Multipart_with_part_copy_listing_and_abort()
    {
        await using var client = Client();
        string bucket = NewBucket("mpu");
        await client.CreateBucketAsync(bucket);
        try
        {
            const int PartSize = 5 * 1024 * 1024;
            byte[] source = RandomNumberGenerator.GetBytes(PartSize + 4096);
            await client.PutObjectAsync(new PutObjectRequest(bucket, "source"), source);
            string uploadId = await client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, "big") { ContentType = "application/x-big" });
            byte[] part1 = RandomNumberGenerator.GetBytes(PartSize);
            byte[] part3 = RandomNumberGenerator.GetBytes(12345);
            var p1 = await client.UploadPartAsync(new UploadPartRequest(bucket, "big", uploadId, 1), part1);
            var p2 = await client.UploadPartCopyAsync(new UploadPartCopyRequest(bucket, "source", bucket, "big", uploadId, 2)
            { SourceRangeStart = 100, SourceRangeEnd = PartSize + 99 });
            var p3 = await client.UploadPartAsync(new UploadPartRequest(bucket, "big", uploadId, 3), new MemoryStream(part3), part3.Length);

            var parts = new List<ListedPart>();
            await foreach (ListedPart p in client.ListPartsAsync(bucket, "big", uploadId))
            {
                parts.Add(p);
            }

            Assert.Equal([1, 2, 3], parts.Select(p => p.PartNumber));
            Assert.Equal([PartSize, PartSize, part3.Length], parts.Select(p => p.Size));
            var uploads = new List<ListedUpload>();
            await foreach (ListedUpload u in client.ListMultipartUploadsAsync(bucket))
            {
                uploads.Add(u);
            }

            Assert.Contains(uploads, u => u.UploadId == uploadId);

            var done = await client.CompleteMultipartUploadAsync(bucket, "big", uploadId, [p1, p2, p3]);
            Assert.Equal("big", done.Key);
            // RGW 16 answers CompleteMultipartUpload with an empty ETag element; the object has the multipart ETag.
            Assert.EndsWith("-3\"", (await client.HeadObjectAsync(bucket, "big")).ETag);
            byte[] expected = [.. part1, .. source.AsSpan(100, PartSize), .. part3];
            byte[] actual = new byte[expected.Length];
            await client.GetObjectAsync(new GetObjectRequest(bucket, "big"), actual);
            Assert.Equal(expected, actual);
            var ranged = new byte[2000];
            await client.GetObjectAsync(GetObjectRequest.ForRange(bucket, "big", PartSize - 1000, PartSize + 999), ranged);
            Assert.Equal(expected.AsSpan(PartSize - 1000, 2000).ToArray(), ranged);
            Assert.Equal(expected.Length, (await client.HeadObjectAsync(bucket, "big")).ContentLength);

            string abandoned = await client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, "abandoned"));
            await client.UploadPartAsync(new UploadPartRequest(bucket, "abandoned", abandoned, 1), new byte[100]);
            await client.AbortMultipartUploadAsync(bucket, "abandoned", abandoned);
            var noUpload = await Assert.ThrowsAsync<S3Exception>(() => client.UploadPartAsync(new UploadPartRequest(bucket, "abandoned", abandoned, 2), new byte[100]));
            Assert.Equal(404, noUpload.StatusCode); // NoSuchUpload (RGW 16 says NoSuchKey for ListParts of an aborted upload)
        }
        finally
        {
            await EmptyAndDeleteAsync(client, bucket);
        }
    }

    [RgwFact]
    public async Task Listing_over_1000_keys_v2_v1_and_batch_delete()
    {
        await using var client = Client();
        string bucket = NewBucket("lst");
        await client.CreateBucketAsync(bucket);
        try
        {
            var keys = Enumerable.Range(0, 1105).Select(i => (i % 5 == 0 ? "sub/" : "") + $"k{i:D5} &=ü").ToList();
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, ct) =>
                await client.PutObjectAsync(new PutObjectRequest(bucket, k), new byte[] { 1, 2 }, ct));
            var expected = keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

            var v2 = new List<string>();
            await foreach (ListedObject o in client.ListObjectsV2Async(new ListObjectsRequest(bucket)))
            {
                v2.Add(o.Key);
            }

            Assert.Equal(expected, v2);
            var v1 = new List<string>();
            await foreach (ListedObject o in client.ListObjectsV1Async(new ListObjectsRequest(bucket) { MaxKeys = 400 }))
            {
                v1.Add(o.Key);
            }

            Assert.Equal(expected, v1);
            var prefixes = new List<string>();
            int top = 0;
            await foreach (ListBucketResult page in client.ListObjectsV2PagesAsync(new ListObjectsRequest(bucket) { Delimiter = "/" }))
            {
                prefixes.AddRange(page.CommonPrefixes);
                top += page.Contents.Count;
            }

            Assert.Equal(["sub/"], prefixes);
            Assert.Equal(keys.Count - 221, top);

            var deleted = await client.DeleteObjectsAsync(bucket, keys);
            Assert.Empty(deleted.Errors);
            Assert.Equal(keys.Count, deleted.Deleted.Count);
        }
        finally
        {
            await EmptyAndDeleteAsync(client, bucket);
        }
    }
}
