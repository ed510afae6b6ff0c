using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Bodies large enough to be received, hashed and written as a pipeline (the hash of one chunk on another core while
/// the next arrives): the ETag and checksums must still cover every byte in order, a digest mismatch or a body that
/// fails half-way must change nothing, and the buffers in flight must come back to the pool.
/// </summary>
public class LargePutTests
{
    private static string Crc32CBase64(byte[] data) => Convert.ToBase64String(BitConverter.GetBytes(
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Sluice.S3.Checksums.Crc32C.HashToUInt32(data))));

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Large_bodies_get_the_MD5_ETag_and_checksum_of_every_byte_in_order(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/big")).Status);
        // Exactly the pipeline threshold, one byte past it, an odd size over many chunks, and one past the 8 MiB
        // writeback step.
        foreach (int size in new[] { 1 << 20, (1 << 20) + 1, (3 << 20) + 12345, (9 << 20) + 7 })
        {
            var body = RandomNumberGenerator.GetBytes(size);
            string crc = Crc32CBase64(body);
            var put = await c.PutObjectAsync("big", "o", body, ("x-amz-checksum-crc32c", crc), ("Content-MD5", S3TestClient.Md5Base64(body)));
            Assert.True(put.Status == 200, put.Text);
            Assert.Equal(S3TestClient.Md5ETag(body), put.Header("ETag"));
            var get = await c.GetObjectAsync("big", "o", ("x-amz-checksum-mode", "ENABLED"));
            Assert.Equal(S3TestClient.Md5ETag(body), get.Header("ETag"));
            Assert.Equal(crc, get.Header("x-amz-checksum-crc32c"));
            Assert.True(body.AsSpan().SequenceEqual(get.Body), $"body of {size} bytes differs");
        }
        await AssertNoBuffersOrTempFilesLeftAsync(t);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_large_body_with_a_wrong_digest_is_refused_and_changes_nothing(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/big")).Status);
        var original = RandomNumberGenerator.GetBytes(2 << 20);
        Assert.Equal(200, (await c.PutObjectAsync("big", "o", original)).Status);

        var other = RandomNumberGenerator.GetBytes((5 << 20) + 3);
        var tampered = (byte[])other.Clone();
        tampered[^1] ^= 1; // the last byte: the MD5 of every chunk but the last still matches
        var badMd5 = await c.PutObjectAsync("big", "o", tampered, ("Content-MD5", S3TestClient.Md5Base64(other)));
        Assert.Equal("BadDigest", badMd5.ErrorCode);
        var badCrc = await c.PutObjectAsync("big", "o", tampered, ("x-amz-checksum-crc32c", Crc32CBase64(other)));
        Assert.Equal("BadDigest", badCrc.ErrorCode);

        // Multipart: a part checksum other than the upload's own goes through the caller's extra checksum.
        var create = await c.SendAsync("POST", "/big/mp", "uploads");
        string uploadId = System.Text.RegularExpressions.Regex.Match(create.Text, "<UploadId>([^<]*)</UploadId>").Groups[1].Value;
        var badPart = await c.SendAsync("PUT", "/big/mp", $"partNumber=1&uploadId={Uri.EscapeDataString(uploadId)}", tampered,
            [("x-amz-checksum-crc32c", Crc32CBase64(other))]);
        Assert.Equal("BadDigest", badPart.ErrorCode);
        var goodPart = await c.SendAsync("PUT", "/big/mp", $"partNumber=1&uploadId={Uri.EscapeDataString(uploadId)}", other,
            [("x-amz-checksum-crc32c", Crc32CBase64(other))]);
        Assert.True(goodPart.Status == 200, goodPart.Text);
        Assert.Equal(S3TestClient.Md5ETag(other), goodPart.Header("ETag"));

        var stored = (await c.GetObjectAsync("big", "o")).Body;
        Assert.True(original.AsSpan().SequenceEqual(stored), "a refused write changed the object");
        Assert.Equal(204, (await c.SendAsync("DELETE", "/big/mp", $"uploadId={Uri.EscapeDataString(uploadId)}")).Status);
        await AssertNoBuffersOrTempFilesLeftAsync(t);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_signed_chunk_forged_mid_body_is_refused_and_changes_nothing(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/big")).Status);
        var payload = RandomNumberGenerator.GetBytes((4 << 20) + 99);
        (string, string)[] headers = [("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture))];
        var put = await c.SendAsync("PUT", "/big/s", headers: headers, payloadHash: SigV4PayloadHash.StreamingSigned,
            bodyFromSeed: seed => StreamingUploadTests.SignedChunks(payload, 64 * 1024, seed));
        Assert.True(put.Status == 200, put.Text);
        Assert.Equal(S3TestClient.Md5ETag(payload), put.Header("ETag"));

        var forged = await c.SendAsync("PUT", "/big/s", headers: headers, payloadHash: SigV4PayloadHash.StreamingSigned,
            bodyFromSeed: seed =>
            {
                var body = StreamingUploadTests.SignedChunks(RandomNumberGenerator.GetBytes(payload.Length), 64 * 1024, seed);
                body[body.Length * 3 / 4] ^= 1; // after several chunks were written and hashed
                return body;
            });
        Assert.Equal("SignatureDoesNotMatch", forged.ErrorCode);
        var stored = (await c.GetObjectAsync("big", "s")).Body;
        Assert.True(payload.AsSpan().SequenceEqual(stored), "a refused write changed the object");
        await AssertNoBuffersOrTempFilesLeftAsync(t);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_client_gone_half_way_through_a_large_body_leaves_nothing_and_the_server_keeps_serving(string engine)
    {
        await using var t = await TestServer.StartAsync(engine, anonymous: true);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/big")).Status);
        var endpoint = t.RawHttp1EndPoint;
        for (int i = 0; i < 3; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint);
            string head = $"PUT /big/gone HTTP/1.1\r\nHost: {endpoint}\r\nContent-Length: {8 << 20}\r\n" +
                "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head));
            await socket.SendAsync(RandomNumberGenerator.GetBytes((3 << 20) + i * 100_000)); // several chunks, then gone
            socket.Close();
        }
        await AssertNoBuffersOrTempFilesLeftAsync(t);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/big/gone")).Status);
        var body = RandomNumberGenerator.GetBytes(3 << 20);
        Assert.Equal(200, (await c.PutObjectAsync("big", "after", body)).Status);
        var stored = (await c.GetObjectAsync("big", "after")).Body;
        Assert.True(body.AsSpan().SequenceEqual(stored), "body differs");
        await AssertNoBuffersOrTempFilesLeftAsync(t);
    }

    [Theory]
    [InlineData("uring")]
    [InlineData("managed")] // the stop aborts connections: sockets only
    public async Task A_server_stopped_in_the_middle_of_large_bodies_gets_every_buffer_back(string engine)
    {
        // No grace: the stop aborts the bodies wherever they are (receiving, writing, hashing on a pool thread), waits
        // for every connection to end, and each handler must have given back both of its buffers by then. A few
        // rounds, since where the stop lands varies.
        for (int round = 0; round < 4; round++)
        {
            string directory = Path.Combine(Path.GetTempPath(), "sluice-stop-" + Guid.NewGuid().ToString("N"));
            var server = await SluiceServer.StartAsync(new SluiceServerOptions
            {
                DataDirectory = directory, Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Reactors = 2,
                EngineMode = engine, AnonymousFullAccess = true, ShutdownGrace = TimeSpan.Zero,
                Credentials = new Dictionary<string, string> { [TestServer.AccessKey] = TestServer.Secret },
            });
            var sockets = new List<Socket>();
            var senders = new List<Task>();
            long sent = 0;
            long enough = (8L << 20) * (round + 1);
            var sentEnough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                using (var c = new S3TestClient(server.Endpoint, TestServer.AccessKey, TestServer.Secret))
                    Assert.Equal(200, (await c.SendAsync("PUT", "/big")).Status);
                byte[] chunk = RandomNumberGenerator.GetBytes(256 << 10);
                for (int i = 0; i < 4; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    await socket.ConnectAsync(server.LocalEndPoint);
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"PUT /big/o{i} HTTP/1.1\r\nHost: x\r\nContent-Length: {256 << 20}\r\n" +
                        "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n"));
                    senders.Add(Task.Run(async () =>
                    {
                        try
                        {
                            while (true)
                                if (Interlocked.Add(ref sent, await socket.SendAsync(chunk)) >= enough) sentEnough.TrySetResult();
                        }
                        catch (Exception e) when (e is SocketException or ObjectDisposedException)
                        {
                            // the server stopped
                        }
                    }));
                }
                await sentEnough.Task.WaitAsync(TimeSpan.FromMinutes(5));
                await server.StopAsync();
                Assert.Equal(0, server.Store!.Engine.Buffers.Outstanding);
                Assert.True(server.Store.Engine.Buffers.Freed.IsCompletedSuccessfully, "the engine's buffers were not freed");
            }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
                await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(30));
                await server.StopAsync();
                try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
            }
        }
    }

    private static IEnumerable<string> TempFiles(TestServer t)
    {
        string tmp = Path.Combine(t.Directory, ".tmp");
        return Directory.Exists(tmp) ? Directory.EnumerateFiles(tmp) : [];
    }

    /// <summary>
    /// Every buffer comes back and no temp file stays. Waits a little: a handler gives its buffers back just after the
    /// last response byte leaves, which the client may already have read.
    /// </summary>
    private static Task AssertNoBuffersOrTempFilesLeftAsync(TestServer t) =>
        WaitUntilAsync(() => t.Server.Buffers.Outstanding == 0 && (t.Server.Store == null || !TempFiles(t).Any()));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not release the body's buffers and temp file");
            await Task.Delay(20);
        }
    }
}
