using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Large bodies received at the same time share the multi-buffer MD5 hasher (each in a lane of its vector passes):
/// every ETag must still be the MD5 of exactly its own bytes — concurrent PUTs of odd sizes, the parts of a multipart
/// upload in flight together (the upload's ETag the MD5 of the part MD5s, "-N"), and bodies whose clients vanish
/// while their neighbours' lanes keep going.
/// </summary>
public class ConcurrentBodyMd5Tests
{
    private static string Crc32CBase64(byte[] data) => Convert.ToBase64String(BitConverter.GetBytes(
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Sluice.S3.Checksums.Crc32C.HashToUInt32(data))));

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Concurrent_large_puts_each_get_the_MD5_of_their_own_bytes(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/lanes")).Status);
        // Sizes around the pipelining threshold and past several chunks, none a multiple of the chunk or the block.
        int[] sizes = [(1 << 20) + 1, (2 << 20) + 63, (3 << 20) + 12345, (1 << 20) + 64, (4 << 20) + 7, (2 << 20) + 1000, (5 << 20) + 3, (1 << 20) + 129];
        var bodies = sizes.Select(RandomNumberGenerator.GetBytes).ToArray();
        var puts = await Task.WhenAll(bodies.Select((body, i) => (i % 3) switch
        {
            0 => c.PutObjectAsync("lanes", $"o{i}", body),
            1 => c.PutObjectAsync("lanes", $"o{i}", body, ("Content-MD5", S3TestClient.Md5Base64(body))),
            _ => c.PutObjectAsync("lanes", $"o{i}", body, ("x-amz-checksum-crc32c", Crc32CBase64(body))),
        }));
        for (int i = 0; i < bodies.Length; i++)
        {
            Assert.True(puts[i].Status == 200, puts[i].Text);
            Assert.Equal(S3TestClient.Md5ETag(bodies[i]), puts[i].Header("ETag"));
            var get = await c.GetObjectAsync("lanes", $"o{i}");
            Assert.Equal(S3TestClient.Md5ETag(bodies[i]), get.Header("ETag"));
            Assert.True(bodies[i].AsSpan().SequenceEqual(get.Body), $"body {i} differs");
        }
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Parts_uploaded_together_get_their_MD5s_and_the_upload_the_MD5_of_them(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/lanes")).Status);
        var create = await c.SendAsync("POST", "/lanes/mp", "uploads");
        string uploadId = Uri.EscapeDataString(Regex.Match(create.Text, "<UploadId>([^<]*)</UploadId>").Groups[1].Value);
        const int Parts = 8;
        var parts = Enumerable.Range(0, Parts)
            .Select(i => RandomNumberGenerator.GetBytes(i == Parts - 1 ? (1 << 20) + 77 : (5 << 20) + i * 4099)).ToArray();
        var uploads = await Task.WhenAll(parts.Select((part, i) =>
            c.SendAsync("PUT", "/lanes/mp", $"partNumber={i + 1}&uploadId={uploadId}", part)));
        var xml = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < Parts; i++)
        {
            Assert.True(uploads[i].Status == 200, uploads[i].Text);
            Assert.Equal(S3TestClient.Md5ETag(parts[i]), uploads[i].Header("ETag"));
            xml.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{uploads[i].Header("ETag")}</ETag></Part>");
        }
        xml.Append("</CompleteMultipartUpload>");
        var complete = await c.SendAsync("POST", "/lanes/mp", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(xml.ToString()));
        Assert.True(complete.Status == 200, complete.Text);

        byte[] partMd5s = parts.SelectMany(S3TestClient.Md5).ToArray();
        string expected = "\"" + Convert.ToHexStringLower(S3TestClient.Md5(partMd5s)) + $"-{Parts}\"";
        Assert.Contains($"<ETag>{expected.Replace("\"", "&quot;", StringComparison.Ordinal)}</ETag>", complete.Text.Replace("\"", "&quot;", StringComparison.Ordinal), StringComparison.Ordinal);
        var get = await c.GetObjectAsync("lanes", "mp");
        Assert.Equal(expected, get.Header("ETag"));
        Assert.True(parts.SelectMany(p => p).ToArray().AsSpan().SequenceEqual(get.Body), "the assembled object differs");
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Clients_vanishing_mid_body_leave_their_neighbours_ETags_exact(string engine)
    {
        await using var t = await TestServer.StartAsync(engine, anonymous: true);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/lanes")).Status);
        var endpoint = t.RawHttp1EndPoint;
        for (int round = 0; round < 2; round++)
        {
            var bodies = Enumerable.Range(0, 4).Select(i => RandomNumberGenerator.GetBytes((3 << 20) + i * 333 + round)).ToArray();
            var good = bodies.Select((body, i) => c.PutObjectAsync("lanes", $"g{i}", body)).ToArray();
            var gone = Enumerable.Range(0, 4).Select(async i =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"PUT /lanes/gone{i} HTTP/1.1\r\nHost: {endpoint}\r\n" +
                    $"Content-Length: {8 << 20}\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n"));
                await socket.SendAsync(RandomNumberGenerator.GetBytes((2 << 20) + i * 100_003)); // several chunks, then gone
                socket.Close();
            }).ToArray();
            await Task.WhenAll(gone);
            var puts = await Task.WhenAll(good);
            for (int i = 0; i < bodies.Length; i++)
            {
                Assert.True(puts[i].Status == 200, puts[i].Text);
                Assert.Equal(S3TestClient.Md5ETag(bodies[i]), puts[i].Header("ETag"));
            }
        }
        for (int i = 0; i < 4; i++) Assert.Equal(404, (await c.SendAsync("HEAD", $"/lanes/gone{i}")).Status);
        // The lanes the vanished bodies held are free and clean: a new body alone and a pair both hash exactly.
        var after = Enumerable.Range(0, 3).Select(i => RandomNumberGenerator.GetBytes((2 << 20) + i)).ToArray();
        var again = await Task.WhenAll(after.Select((body, i) => c.PutObjectAsync("lanes", $"after{i}", body)));
        for (int i = 0; i < after.Length; i++) Assert.Equal(S3TestClient.Md5ETag(after[i]), again[i].Header("ETag"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (t.Server.Buffers.Outstanding != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not release the bodies' buffers");
            await Task.Delay(20);
        }
    }
}
