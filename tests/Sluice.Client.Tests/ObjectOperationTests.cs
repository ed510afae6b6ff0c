using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Sluice.Client.Model;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Client.Tests;

/// <summary>Every object operation through the embedded server over real loopback sockets.</summary>
public class ObjectOperationTests
{
    /// <summary>Client engine × protocol.</summary>
    public static TheoryData<string, string> EnginesAndProtocols => new()
    {
        { "uring", ClientTestServer.Http1 },
        { "managed", ClientTestServer.Http1 },
        { "uring", ClientTestServer.H2c },
        { "managed", ClientTestServer.H2c },
        { "uring", ClientTestServer.H2 },
        { "managed", ClientTestServer.H2 },
    };

    private static byte[] Md5(byte[] data)
    {
        byte[] hash = new byte[Md5Digest.HashSizeInBytes];
        Md5Digest.HashData(data, hash);
        return hash;
    }

    [Theory]
    [MemberData(nameof(EnginesAndProtocols))]
    public async Task Put_get_head_delete_round_trip_byte_exact(string engine, string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient(engine: engine);
        await client.CreateBucketAsync("data");
        byte[] payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var put = await client.PutObjectAsync(new PutObjectRequest("data", "dir/obj one+ü.bin")
        {
            ContentType = "application/x-test",
            Metadata = new Dictionary<string, string> { ["colour"] = "blue" },
        }, payload);
        Assert.Equal($"\"{Convert.ToHexStringLower(Md5(payload))}\"", put.ETag);

        // Into memory: received straight into the caller's buffer.
        byte[] target = new byte[payload.Length];
        var got = await client.GetObjectAsync(new GetObjectRequest("data", "dir/obj one+ü.bin"), target);
        Assert.Equal(payload, target);
        Assert.Equal(payload.Length, got.ContentLength);
        Assert.Equal(put.ETag, got.ETag);
        Assert.Equal("application/x-test", got.ContentType);
        Assert.Equal("blue", got.UserMetadata["colour"]);

        // Ranged into an IBufferWriter and into a Stream.
        var writer = new ArrayBufferWriter<byte>();
        var ranged = await client.GetObjectAsync(GetObjectRequest.ForRange("data", "dir/obj one+ü.bin", 1000, 1999_999), writer);
        Assert.Equal(payload.AsSpan(1000, 1999_000).ToArray(), writer.WrittenSpan.ToArray());
        Assert.Equal((1000L, 1999_999L), ranged.Range);
        Assert.Equal(payload.Length, ranged.ObjectSize);
        using var stream = new MemoryStream();
        await client.GetObjectAsync(new GetObjectRequest("data", "dir/obj one+ü.bin") { RangeStart = payload.Length - 10 }, stream);
        Assert.Equal(payload.AsSpan(payload.Length - 10).ToArray(), stream.ToArray());

        var head = await client.HeadObjectAsync("data", "dir/obj one+ü.bin");
        Assert.Equal(payload.Length, head.ContentLength);
        Assert.Equal(put.ETag, head.ETag);

        // Too small a destination is a typed error, never a short success.
        var small = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(new GetObjectRequest("data", "dir/obj one+ü.bin"), new byte[100]));
        Assert.Equal(S3ClientErrorCodes.DestinationTooSmall, small.Code);

        await client.DeleteObjectAsync("data", "dir/obj one+ü.bin");
        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("data", "dir/obj one+ü.bin"));
        Assert.Equal("NoSuchKey", missing.Code);
        Assert.Equal(404, missing.StatusCode);
        var missingGet = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectBytesAsync("data", "dir/obj one+ü.bin"));
        Assert.Equal("NoSuchKey", missingGet.Code);
        Assert.False(missingGet.IsRetryable);
        Assert.NotNull(missingGet.RequestId);
        var noBucket = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectBytesAsync("nobucket", "k"));
        Assert.Equal("NoSuchBucket", noBucket.Code);
        server.AssertProtocol(client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Put_from_stream_with_checksums_and_conditions(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("data");
        byte[] payload = RandomNumberGenerator.GetBytes(700_001);
        foreach (ChecksumAlgorithm algorithm in new[] { ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha256 })
        {
            string key = "sum-" + algorithm;
            await client.PutObjectAsync(new PutObjectRequest("data", key) { ChecksumAlgorithm = algorithm }, new MemoryStream(payload), payload.Length);
            var head = await client.HeadObjectAsync(new GetObjectRequest("data", key) { ChecksumMode = true });
            byte[] hash = new byte[32];
            int n = S3Checksum.HashData(algorithm, payload, hash);
            string expected = Convert.ToBase64String(hash, 0, n);
            string? actual = algorithm switch
            {
                ChecksumAlgorithm.Crc32 => head.Checksums.ChecksumCrc32,
                ChecksumAlgorithm.Crc32C => head.Checksums.ChecksumCrc32C,
                ChecksumAlgorithm.Crc64Nvme => head.Checksums.ChecksumCrc64Nvme,
                ChecksumAlgorithm.Sha1 => head.Checksums.ChecksumSha1,
                _ => head.Checksums.ChecksumSha256,
            };
            Assert.Equal(expected, actual);
        }

        // A wrong precomputed checksum is refused by the server.
        var bad = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(
            new PutObjectRequest("data", "bad") { ChecksumAlgorithm = ChecksumAlgorithm.Crc32, ChecksumValue = "AAAAAA==" }, payload));
        Assert.Equal(400, bad.StatusCode);

        // If-None-Match: * creates only.
        await client.PutObjectAsync(new PutObjectRequest("data", "once") { Conditions = new() { IfNoneMatch = "*" } }, "a"u8.ToArray());
        var again = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(
            new PutObjectRequest("data", "once") { Conditions = new() { IfNoneMatch = "*" } }, "b"u8.ToArray()));
        Assert.Equal("PreconditionFailed", again.Code);

        // Read conditionals: 304 and 412 are typed errors.
        var meta = await client.HeadObjectAsync("data", "once");
        var notModified = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(
            new GetObjectRequest("data", "once") { Conditions = new() { IfNoneMatch = meta.ETag } }, new byte[10]));
        Assert.Equal(S3ClientErrorCodes.NotModified, notModified.Code);
        var failed = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(
            new GetObjectRequest("data", "once") { Conditions = new() { IfMatch = "\"nope\"" } }, new byte[10]));
        Assert.Equal("PreconditionFailed", failed.Code);
        var ok = await client.GetObjectAsync(new GetObjectRequest("data", "once")
        {
            Conditions = new() { IfMatch = meta.ETag },
            ResponseContentType = "text/x-override",
            ResponseCacheControl = "no-store",
        }, new byte[10]);
        Assert.Equal("text/x-override", ok.ContentType);
        Assert.Equal("no-store", ok.CacheControl);
        Assert.Equal(1, ok.ContentLength);
        server.AssertProtocol(client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Copy_object_with_metadata_directives_and_source_conditions(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("src");
        await client.CreateBucketAsync("dst");
        byte[] payload = Encoding.UTF8.GetBytes("copy me");
        var put = await client.PutObjectAsync(new PutObjectRequest("src", "a/b") { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["k"] = "v" } }, payload);

        var copied = await client.CopyObjectAsync(new CopyObjectRequest("src", "a/b", "dst", "copy"));
        Assert.Equal(put.ETag, copied.ETag);
        var m = await client.HeadObjectAsync("dst", "copy");
        Assert.Equal("v", m.UserMetadata["k"]);
        Assert.Equal("text/plain", m.ContentType);

        await client.CopyObjectAsync(new CopyObjectRequest("src", "a/b", "dst", "replaced")
        {
            ReplaceMetadata = true,
            ContentType = "application/json",
            Metadata = new Dictionary<string, string> { ["n"] = "w" },
        });
        var r = await client.HeadObjectAsync("dst", "replaced");
        Assert.Equal("application/json", r.ContentType);
        Assert.False(r.UserMetadata.ContainsKey("k"));
        Assert.Equal("w", r.UserMetadata["n"]);
        Assert.Equal(payload, await client.GetObjectBytesAsync("dst", "replaced"));

        var refused = await Assert.ThrowsAsync<S3Exception>(() => client.CopyObjectAsync(
            new CopyObjectRequest("src", "a/b", "dst", "x") { SourceConditions = new() { IfMatch = "\"other\"" } }));
        Assert.Equal("PreconditionFailed", refused.Code);
        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.CopyObjectAsync(new CopyObjectRequest("src", "none", "dst", "x")));
        Assert.Equal("NoSuchKey", missing.Code);
        server.AssertProtocol(client);
    }
}
