using System.Security.Cryptography;
using System.Text;
using Sluice.Client.Model;
using Sluice.Client.Placement;
using Sluice.S3.Placement;
using Sluice.Server.Placement;

namespace Sluice.Client.Tests.Placement;

/// <summary>
/// Direct placement end to end: a real server with the shared-memory provider, real Unix sockets and real memfd
/// regions; the client's fall back against a real HTTP server declining each way.
/// </summary>
public sealed class PlacementTests
{
    private static byte[] Random(int length) => RandomNumberGenerator.GetBytes(length);

    [Theory]
    [MemberData(nameof(PlacementTestServer.StoresAndFronts), MemberType = typeof(PlacementTestServer))]
    public async Task Put_and_whole_ranged_and_part_gets_are_placed(string store, string front)
    {
        await using var server = await PlacementTestServer.StartAsync(store, front);
        await using var client = new S3Client(server.Options(PlacementMode.Shm));
        await client.CreateBucketAsync("bkt");
        byte[] data = Random((3 << 20) + 12345);
        using var buffer = await client.RentPlacementBufferAsync(data.Length);
        Assert.True(buffer.IsRegistered);
        data.CopyTo(buffer.Memory);

        var put = await client.PutObjectAsync(new PutObjectRequest("bkt", "k"), buffer, data.Length);
        Assert.Equal(1, client.PlacedRequests);
        Assert.Equal(data, await client.GetObjectBytesAsync("bkt", "k")); // the stored bytes, read over HTTP

        buffer.Memory.Span.Clear();
        var whole = await client.GetObjectAsync(new GetObjectRequest("bkt", "k") { ChecksumMode = true }, buffer);
        Assert.Equal(data.Length, whole.ContentLength);
        Assert.Equal(put.ETag, whole.ETag);
        Assert.Equal(200, whole.PlacementReply);
        Assert.True(data.AsSpan().SequenceEqual(buffer.Memory.Span[..data.Length]));

        using var small = await client.RentPlacementBufferAsync(100_000);
        var ranged = await client.GetObjectAsync(new GetObjectRequest("bkt", "k") { RangeStart = 1_000_000, RangeEnd = 1_099_999 }, small);
        Assert.Equal(206, ranged.StatusCode);
        Assert.Equal(206, ranged.PlacementReply);
        Assert.Equal((1_000_000L, 1_099_999L), ranged.Range);
        Assert.Equal(100_000, ranged.ContentLength);
        Assert.True(data.AsSpan(1_000_000, 100_000).SequenceEqual(small.Memory.Span[..100_000]));

        string upload = await client.CreateMultipartUploadAsync(new PutObjectRequest("bkt", "mp"));
        byte[] p1 = Random(5 << 20), p2 = Random((1 << 20) + 7);
        var r1 = await client.UploadPartAsync(new UploadPartRequest("bkt", "mp", upload, 1), p1);
        var r2 = await client.UploadPartAsync(new UploadPartRequest("bkt", "mp", upload, 2), p2);
        await client.CompleteMultipartUploadAsync("bkt", "mp", upload, [r1.ToCompletedPart(), r2.ToCompletedPart()]);
        using var partBuffer = await client.RentPlacementBufferAsync(p2.Length);
        var part = await client.GetObjectAsync(new GetObjectRequest("bkt", "mp") { PartNumber = 2 }, partBuffer);
        Assert.Equal(p2.Length, part.ContentLength);
        Assert.True(p2.AsSpan().SequenceEqual(partBuffer.Memory.Span[..p2.Length]));

        Assert.Equal(4, client.PlacedRequests);
        Assert.Equal(0, client.DeclinedRequests);
    }

    [Theory]
    [MemberData(nameof(PlacementTestServer.StoresAndFronts), MemberType = typeof(PlacementTestServer))]
    public async Task A_checksum_mismatch_is_refused_and_nothing_is_stored(string store, string front)
    {
        await using var server = await PlacementTestServer.StartAsync(store, front);
        await using var client = new S3Client(server.Options(PlacementMode.Shm));
        await client.CreateBucketAsync("bkt");
        using var buffer = await client.RentPlacementBufferAsync(1 << 20);
        Random(1 << 20).CopyTo(buffer.Memory);
        var request = new PutObjectRequest("bkt", "bad")
        {
            ChecksumAlgorithm = Sluice.S3.Checksums.ChecksumAlgorithm.Crc64Nvme,
            ChecksumValue = "AAAAAAAAAAA=", // a well-formed CRC64NVME of other bytes
        };
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.PutObjectAsync(request, buffer, 1 << 20));
        Assert.Equal("BadDigest", e.Code);
        var missing = await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("bkt", "bad"));
        Assert.Equal(404, missing.StatusCode);
    }

    [Fact]
    public async Task Forged_foreign_malformed_unsigned_and_oversized_tokens_are_refused()
    {
        await using var server = await PlacementTestServer.StartAsync();
        await using var http = new S3Client(server.Options(PlacementMode.Http));
        await http.CreateBucketAsync("bkt");
        byte[] data = Random(4096);
        await http.PutObjectAsync(new PutObjectRequest("bkt", "k"), data);
        using var mine = await ShmPlacementClient.RegisterAsync(server.Socket, 1 << 20);
        using var other = await ShmPlacementClient.RegisterAsync(server.Socket, 1 << 20);
        string valid = mine.Token(0, 4096);
        Assert.InRange(valid.Length, 100, 200);
        Assert.True(ShmToken.TryParse(Encoding.ASCII.GetBytes(valid), out var parsed));
        Assert.True(ShmToken.TryParse(Encoding.ASCII.GetBytes(other.Token(0, 4096)), out var theirs));
        Span<byte> secret = stackalloc byte[ShmToken.SecretBytes];
        parsed.GetSecret(secret);
        string foreign = new ShmToken(theirs.Region, 0, 4096, secret).ToString(); // their region, my secret
        secret[0] ^= 1;
        string forged = new ShmToken(parsed.Region, 0, 4096, secret).ToString(); // my region, a guessed secret
        string outside = mine.Token((1 << 20) - 100, 4096);

        foreach (string token in new[] { forged, foreign, outside, "not-a-token", valid.ToUpperInvariant() })
        {
            var refused = await SignedRequests.SendAsync(server.Endpoint, "GET", "/bkt/k", [("x-amz-rdma-token", token)]);
            Assert.True(400 == refused.Status, $"{token}: {refused.Status} {Encoding.UTF8.GetString(refused.Body)}");
            Assert.Equal("InvalidRDMAToken", refused.ErrorCode);
        }
        // A valid token outside the signed headers could have been swapped in flight: refused (SigV4 requires every
        // x-amz-* header signed, so the verifier answers 403 before the token is judged).
        var unsigned = await SignedRequests.SendAsync(server.Endpoint, "GET", "/bkt/k", [], [("x-amz-rdma-token", valid)]);
        Assert.Equal(403, unsigned.Status);
        Assert.Null(unsigned.Header("x-amz-rdma-reply"));

        var placed = await SignedRequests.SendAsync(server.Endpoint, "GET", "/bkt/k", [("x-amz-rdma-token", valid)]);
        Assert.Equal(200, placed.Status);
        Assert.Equal("200", placed.Header("x-amz-rdma-reply"));
        Assert.Equal("4096", placed.Header("x-amz-rdma-bytes-transferred"));
        Assert.Equal(0, placed.ContentLength);
        Assert.Empty(placed.Body);
        var head = await SignedRequests.SendAsync(server.Endpoint, "HEAD", "/bkt/k", [("x-amz-rdma-token", valid)]);
        Assert.Equal(200, head.Status);
        Assert.Equal(4096, head.ContentLength);

        // A token whose buffer is smaller than the object: refused, never a short read.
        var tooSmall = await SignedRequests.SendAsync(server.Endpoint, "GET", "/bkt/k", [("x-amz-rdma-token", mine.Token(0, 100))]);
        Assert.Equal(400, tooSmall.Status);
        Assert.Equal("InvalidRDMAToken", tooSmall.ErrorCode);
        // A token naming a region its client has since unregistered.
        string gone = other.Token(0, 4096);
        other.Dispose();
        await WaitForRegionsAsync(server, 1);
        var unregistered = await SignedRequests.SendAsync(server.Endpoint, "GET", "/bkt/k", [("x-amz-rdma-token", gone)]);
        Assert.Equal("InvalidRDMAToken", unregistered.ErrorCode);
    }

    [Fact]
    public async Task A_server_without_placement_declines_with_the_body_and_the_client_counts_it()
    {
        await using var server = await PlacementTestServer.StartAsync(placement: false);
        await using var client = new S3Client(server.Options(PlacementMode.Http));
        await client.CreateBucketAsync("bkt");
        byte[] data = Random(10_000);
        await client.PutObjectAsync(new PutObjectRequest("bkt", "k"), data);
        // Its token names memory of a provider the server does not run: style (a) for GET, RDMANotSupported for PUT.
        await using var provider = ShmPlacementProvider.Start(Path.Combine(Path.GetTempPath(), "sluice-pl-" + Guid.NewGuid().ToString("N")[..12] + ".sock"));
        using var region = await ShmPlacementClient.RegisterAsync(provider.SocketPath, 1 << 20);
        var get = await SignedRequests.SendAsync(server.Endpoint, "GET", "/bkt/k", [("x-amz-rdma-token", region.Token(0, 10_000))]);
        Assert.Equal(200, get.Status);
        Assert.Equal("501", get.Header("x-amz-rdma-reply"));
        Assert.Equal(data, get.Body);
        var put = await SignedRequests.SendAsync(server.Endpoint, "PUT", "/bkt/p",
            [("x-amz-rdma-token", region.Token(0, 10_000)), ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA=")]);
        Assert.Equal(501, put.Status);
        Assert.Equal("RDMANotSupported", put.ErrorCode);
        Assert.Equal("501", put.Header("x-amz-rdma-reply"));

        await using var placing = new S3Client(server.Options(PlacementMode.Shm) with { PlacementSocket = provider.SocketPath });
        using var buffer = await placing.RentPlacementBufferAsync(data.Length);
        Assert.True(buffer.IsRegistered);
        var m = await placing.GetObjectAsync(new GetObjectRequest("bkt", "k"), buffer);
        Assert.Equal(data.Length, m.ContentLength);
        Assert.True(data.AsSpan().SequenceEqual(buffer.Memory.Span[..data.Length]));
        await placing.PutObjectAsync(new PutObjectRequest("bkt", "p"), buffer, data.Length);
        Assert.Equal(data, await client.GetObjectBytesAsync("bkt", "p"));
        Assert.Equal(0, placing.PlacedRequests);
        Assert.Equal(2, placing.DeclinedRequests);
    }

    [Theory]
    [InlineData(DecliningServer.StyleA)]
    [InlineData(DecliningServer.StyleB)]
    [InlineData(DecliningServer.StyleC)]
    [InlineData(DecliningServer.Ignores)]
    public async Task Every_decline_style_falls_back_to_http(string style)
    {
        byte[] data = Random(50_000);
        await using var provider = ShmPlacementProvider.Start(Path.Combine(Path.GetTempPath(), "sluice-pl-" + Guid.NewGuid().ToString("N")[..12] + ".sock"));
        await using var declining = new DecliningServer(style, data);
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = declining.Endpoint, AccessKeyId = "AKID", SecretAccessKey = "secret", Placement = PlacementMode.Shm,
            PlacementSocket = provider.SocketPath, PlacementRegionBytes = 1 << 20,
        });
        using var buffer = await client.RentPlacementBufferAsync(data.Length);
        Assert.True(buffer.IsRegistered);
        var m = await client.GetObjectAsync(new GetObjectRequest("bkt", "k"), buffer);
        Assert.Equal(data.Length, m.ContentLength);
        Assert.True(data.AsSpan().SequenceEqual(buffer.Memory.Span[..data.Length]));
        Assert.Equal(1, client.DeclinedRequests);

        byte[] upload = Random(30_000);
        upload.CopyTo(buffer.Memory);
        await client.PutObjectAsync(new PutObjectRequest("bkt", "k"), buffer, upload.Length);
        Assert.Equal(upload, declining.Object); // resent with the body
        Assert.Equal(2, client.DeclinedRequests);
        Assert.Equal(0, client.PlacedRequests);
        Assert.Equal(2, declining.TokenRequests);
    }

    [Fact]
    public async Task A_4xx_without_the_reply_header_is_a_real_error_not_a_decline()
    {
        await using var provider = ShmPlacementProvider.Start(Path.Combine(Path.GetTempPath(), "sluice-pl-" + Guid.NewGuid().ToString("N")[..12] + ".sock"));
        await using var declining = new DecliningServer(DecliningServer.RealError, Random(100));
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = declining.Endpoint, AccessKeyId = "AKID", SecretAccessKey = "secret", Placement = PlacementMode.Shm,
            PlacementSocket = provider.SocketPath, PlacementRegionBytes = 1 << 20,
        });
        using var buffer = await client.RentPlacementBufferAsync(100);
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectAsync(new GetObjectRequest("bkt", "k"), buffer));
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("InvalidArgument", e.Code);
        Assert.Equal(0, client.DeclinedRequests);
        Assert.Equal(1, declining.TokenRequests);
    }

    [Fact]
    public async Task Auto_without_a_placement_socket_uses_http_and_shm_fails()
    {
        await using var server = await PlacementTestServer.StartAsync(placement: false);
        await using var auto = new S3Client(server.Options(PlacementMode.Auto));
        using var buffer = await auto.RentPlacementBufferAsync(100);
        Assert.False(buffer.IsRegistered);
        await using var shm = new S3Client(server.Options(PlacementMode.Shm));
        await Assert.ThrowsAnyAsync<Exception>(() => shm.RentPlacementBufferAsync(100));
    }

    [Theory]
    [InlineData("disk")]
    [InlineData("memory")]
    public async Task A_client_that_goes_away_mid_transfer_leaves_the_server_healthy_and_nothing_partial(string store)
    {
        await using var server = await PlacementTestServer.StartAsync(store);
        await using var http = new S3Client(server.Options(PlacementMode.Http));
        await http.CreateBucketAsync("bkt");
        byte[] data = Random(48 << 20);
        await http.PutObjectAsync(new PutObjectRequest("bkt", "big"), data);

        var client = new S3Client(server.Options(PlacementMode.Shm, regionBytes: 128L << 20));
        var getBuffer = await client.RentPlacementBufferAsync(data.Length);
        var putBuffer = await client.RentPlacementBufferAsync(data.Length);
        data.CopyTo(putBuffer.Memory);
        Assert.Equal(1, server.Server.PlacementRegionCount);
        var get = client.GetObjectAsync(new GetObjectRequest("bkt", "big"), getBuffer);
        var put = client.PutObjectAsync(new PutObjectRequest("bkt", "p"), putBuffer, data.Length);
        // The client closes its connections and unregisters (unmaps) its region while both are in flight.
        await client.DisposeAsync();
        await Task.WhenAll(get, put).ContinueWith(_ => { }, TaskScheduler.Default);
        await WaitForRegionsAsync(server, 0);

        // The server still serves, and the PUT either stored every byte or nothing.
        Assert.Equal(data, await http.GetObjectBytesAsync("bkt", "big"));
        try
        {
            var head = await http.HeadObjectAsync("bkt", "p");
            Assert.Equal(data.Length, head.ContentLength);
            Assert.Equal(data, await http.GetObjectBytesAsync("bkt", "p"));
        }
        catch (S3Exception e) when (e.StatusCode == 404)
        {
        }
        // A new client registers and places again.
        await using var again = new S3Client(server.Options(PlacementMode.Shm));
        using var buffer = await again.RentPlacementBufferAsync(data.Length);
        await again.GetObjectAsync(new GetObjectRequest("bkt", "big"), buffer);
        Assert.Equal(1, again.PlacedRequests);
        Assert.True(data.AsSpan().SequenceEqual(buffer.Memory.Span[..data.Length]));
    }

    /// <summary>The server drops a region when it sees its client's socket close: wait for that (bounded).</summary>
    private static async Task WaitForRegionsAsync(PlacementTestServer server, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (server.Server.PlacementRegionCount != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the server still holds {server.Server.PlacementRegionCount} regions");
            await Task.Delay(10);
        }
    }
}
