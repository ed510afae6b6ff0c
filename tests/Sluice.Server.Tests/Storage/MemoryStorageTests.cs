using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Storage;

/// <summary>
/// The memory store's own contract, through the server as a test suite in another project would start it
/// (docs/server.md): the limit refuses a write that would pass it with 507 XSluiceStorageFull and stores nothing,
/// space comes back with deletes, overwrites and aborts, and a multipart upload larger than the limit fails with
/// that error instead of taking the process's memory; Complete and copy add no copy of the bytes beyond what they count.
/// The S3 semantics themselves are the handler tests' (every front × both stores).
/// </summary>
public sealed class MemoryStorageTests
{
    private const long Limit = 24L << 20;

    private static async Task<(SluiceServer Server, S3TestClient Client)> StartAsync(long limit = Limit)
    {
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            InMemory = true,
            MemoryLimit = limit,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [TestServer.AccessKey] = TestServer.Secret },
        });
        return (server, new S3TestClient(server.Endpoint, TestServer.AccessKey, TestServer.Secret, server.CreateInProcessFront()));
    }

    private static string Element(string xml, string name) => Regex.Match(xml, $"<{name}>([^<]*)</{name}>").Groups[1].Value;

    [Fact]
    public async Task A_put_past_the_limit_is_507_and_stores_nothing_and_deletes_give_the_space_back()
    {
        var (server, c) = await StartAsync();
        await using var _ = server;
        using var __ = c;
        Assert.Equal("memory (limit 25165824 bytes)", server.StorageDescription);
        Assert.Equal(200, (await c.SendAsync("PUT", "/bkt")).Status);
        var first = RandomNumberGenerator.GetBytes(16 << 20);
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "first", first)).Status);
        Assert.InRange(server.MemoryUsed, first.Length, first.Length + (1 << 20));

        var refused = await c.PutObjectAsync("bkt", "second", RandomNumberGenerator.GetBytes(12 << 20));
        Assert.Equal(507, refused.Status);
        Assert.Equal("XSluiceStorageFull", refused.ErrorCode);
        Assert.Contains("--memory-limit", refused.Text, StringComparison.Ordinal);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/bkt/second")).Status);
        Assert.InRange(server.MemoryUsed, first.Length, first.Length + (1 << 20)); // the refused body's chunks went back

        // An overwrite gives the old version's bytes back; a delete all of them.
        var smaller = RandomNumberGenerator.GetBytes(4 << 20);
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "first", smaller)).Status);
        Assert.Equal(smaller.Length, server.MemoryUsed);
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "second", RandomNumberGenerator.GetBytes(12 << 20))).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt/first")).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt/second")).Status);
        Assert.Equal(0, server.MemoryUsed);
    }

    [Fact]
    public async Task A_multipart_upload_larger_than_the_limit_fails_with_507_and_abort_gives_every_byte_back()
    {
        var (server, c) = await StartAsync();
        await using var _ = server;
        using var __ = c;
        Assert.Equal(200, (await c.SendAsync("PUT", "/bkt")).Status);
        string id = Element((await c.SendAsync("POST", "/bkt/huge", "uploads")).Text, "UploadId");
        string q(int n) => $"partNumber={n}&uploadId={Uri.EscapeDataString(id)}";
        var part = RandomNumberGenerator.GetBytes(8 << 20);
        int stored = 0;
        S3Response last;
        do
        {
            last = await c.SendAsync("PUT", "/bkt/huge", q(stored + 1), part);
            if (last.Status == 200) stored++;
        }
        while (last.Status == 200 && stored < 10);
        Assert.Equal(507, last.Status);
        Assert.Equal("XSluiceStorageFull", last.ErrorCode);
        Assert.Equal(2, stored); // 24 MiB holds two 8 MiB parts, not a third
        Assert.InRange(server.MemoryUsed, 2L * part.Length, Limit);

        var listed = await c.SendAsync("GET", "/bkt/huge", "uploadId=" + Uri.EscapeDataString(id));
        Assert.Equal(2, Regex.Count(listed.Text, "<Part>"));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt/huge", "uploadId=" + Uri.EscapeDataString(id))).Status);
        Assert.Equal(0, server.MemoryUsed);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt")).Status);
    }

    [Fact]
    public async Task Complete_moves_the_parts_bytes_into_the_object_and_a_copy_counts_its_own()
    {
        var (server, c) = await StartAsync(64L << 20);
        await using var _ = server;
        using var __ = c;
        Assert.Equal(200, (await c.SendAsync("PUT", "/bkt")).Status);
        string id = Element((await c.SendAsync("POST", "/bkt/mp", "uploads")).Text, "UploadId");
        string q(int n) => $"partNumber={n}&uploadId={Uri.EscapeDataString(id)}";
        var p1 = RandomNumberGenerator.GetBytes(5 << 20);
        var p2 = RandomNumberGenerator.GetBytes(3 << 20);
        var p3 = RandomNumberGenerator.GetBytes(1000); // uploaded, not listed: dropped at completion
        string e1 = (await c.SendAsync("PUT", "/bkt/mp", q(1), p1)).Header("ETag")!;
        string e2 = (await c.SendAsync("PUT", "/bkt/mp", q(2), p2)).Header("ETag")!;
        Assert.Equal(200, (await c.SendAsync("PUT", "/bkt/mp", q(3), p3)).Status);
        long beforeComplete = server.MemoryUsed;
        var xml = Encoding.UTF8.GetBytes($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{e1}</ETag></Part>" +
            $"<Part><PartNumber>2</PartNumber><ETag>{e2}</ETag></Part></CompleteMultipartUpload>");
        var complete = await c.SendAsync("POST", "/bkt/mp", "uploadId=" + Uri.EscapeDataString(id), xml);
        Assert.Equal(200, complete.Status);
        Assert.EndsWith("-2\"", Element(complete.Text, "ETag").Replace("&quot;", "\"", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(beforeComplete - p3.Length, server.MemoryUsed);
        Assert.Equal(p1.Concat(p2).ToArray(), (await c.GetObjectAsync("bkt", "mp")).Body);
        var ranged = await c.GetObjectAsync("bkt", "mp", ("Range", $"bytes={p1.Length - 10}-{p1.Length + 9}"));
        Assert.Equal(206, ranged.Status);
        Assert.Equal(p1[^10..].Concat(p2[..10]).ToArray(), ranged.Body);

        long beforeCopy = server.MemoryUsed;
        Assert.Equal(200, (await c.SendAsync("PUT", "/bkt/copy", headers: [("x-amz-copy-source", "/bkt/mp")])).Status);
        Assert.Equal(beforeCopy + p1.Length + p2.Length, server.MemoryUsed);
        Assert.Equal(p1.Concat(p2).ToArray(), (await c.GetObjectAsync("bkt", "copy")).Body);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt/mp")).Status);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/bkt/copy")).Status);
        Assert.Equal(0, server.MemoryUsed);
    }

    [Fact]
    public async Task Nothing_is_written_to_disk_and_a_refused_copy_changes_nothing()
    {
        var (server, c) = await StartAsync(8L << 20);
        await using var _ = server;
        using var __ = c;
        Assert.Null(server.Store);
        Assert.Equal(200, (await c.SendAsync("PUT", "/bkt")).Status);
        var body = RandomNumberGenerator.GetBytes(5 << 20);
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "src", body)).Status);
        var copy = await c.SendAsync("PUT", "/bkt/dst", headers: [("x-amz-copy-source", "/bkt/src")]);
        Assert.Equal(507, copy.Status);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/bkt/dst")).Status);
        Assert.Equal(body.Length, server.MemoryUsed);
    }
}
