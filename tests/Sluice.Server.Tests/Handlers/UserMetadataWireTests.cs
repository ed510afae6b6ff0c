using System.Text;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// x-amz-meta-* values and Content-Encoding come back with exactly the octets sent: PutObject, CopyObject (COPY and
/// REPLACE) and multipart uploads, checked on the wire with a raw socket.
/// </summary>
public class UserMetadataWireTests
{
    private static readonly (string Name, byte[] Value)[] Sent =
    [
        ("x-amz-meta-latin1", [0x63, 0x61, 0x66, 0xE9]),           // "café" as boto3 sends it: é is the one byte E9
        ("x-amz-meta-utf8", Encoding.UTF8.GetBytes("caf\u00e9")),
        ("x-amz-meta-rfc2047", Encoding.ASCII.GetBytes("=?UTF-8?B?Y2Fmw6k=?=")), // stored as sent, not decoded
        ("x-amz-meta-empty", []),
        ("Content-Encoding", Encoding.ASCII.GetBytes("deflate, gzip")),
    ];

    private static void AssertAsSent(RawS3Response r)
    {
        Assert.Equal(200, r.Status);
        // Every header is compared before failing, so one run names every byte that changed.
        var wrong = new List<string>();
        foreach (var (name, value) in Sent)
        {
            var got = r.Header(name);
            if (got == null) wrong.Add(name + " is missing");
            else if (!got.AsSpan().SequenceEqual(value)) wrong.Add($"{name}: sent {Convert.ToHexString(value)}, got {Convert.ToHexString(got)}");
        }
        Assert.Empty(wrong);
    }

    /// <summary>The io_uring front, and Kestrel's HTTP/1.1 (its header values decoded and encoded as Latin-1).</summary>
    public static TheoryData<string> WireFronts => new() { "uring", Fronts.KestrelHttp1 };

    [Theory]
    [MemberData(nameof(WireFronts))]
    public async Task Put_get_and_head_return_the_bytes_sent(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bkt")).Status);
        var put = await RawS3Exchange.SendAsync(t, "PUT", "/bkt/o", null, Sent, "body"u8.ToArray());
        Assert.True(put.Status == 200, put.Text);
        AssertAsSent(await RawS3Exchange.SendAsync(t, "GET", "/bkt/o", null, []));
        AssertAsSent(await RawS3Exchange.SendAsync(t, "HEAD", "/bkt/o", null, []));

        // CopyObject keeps them (COPY) or takes the new ones as sent (REPLACE).
        var copy = await RawS3Exchange.SendAsync(t, "PUT", "/bkt/copy", null, [("x-amz-copy-source", "/bkt/o"u8.ToArray())]);
        Assert.True(copy.Status == 200, copy.Text);
        AssertAsSent(await RawS3Exchange.SendAsync(t, "GET", "/bkt/copy", null, []));
        var replace = await RawS3Exchange.SendAsync(t, "PUT", "/bkt/replaced", null,
            [("x-amz-copy-source", "/bkt/o"u8.ToArray()), ("x-amz-metadata-directive", "REPLACE"u8.ToArray()), .. Sent]);
        Assert.True(replace.Status == 200, replace.Text);
        AssertAsSent(await RawS3Exchange.SendAsync(t, "GET", "/bkt/replaced", null, []));
    }

    [Theory]
    [MemberData(nameof(WireFronts))]
    public async Task A_multipart_upload_keeps_the_bytes_sent_at_create(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bkt")).Status);
        var create = await RawS3Exchange.SendAsync(t, "POST", "/bkt/mp", "uploads=", Sent);
        Assert.True(create.Status == 200, create.Text);
        string uploadId = System.Text.RegularExpressions.Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var part = await t.Client.SendAsync("PUT", "/bkt/mp", $"partNumber=1&uploadId={uploadId}", "only part"u8.ToArray());
        Assert.Equal(200, part.Status);
        string complete = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Header("ETag")}</ETag></Part></CompleteMultipartUpload>";
        var done = await t.Client.SendAsync("POST", "/bkt/mp", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(complete));
        Assert.True(done.Status == 200, done.Text);
        AssertAsSent(await RawS3Exchange.SendAsync(t, "GET", "/bkt/mp", null, []));
    }
}
