using System.Text.Json;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Tests.Faults;
using Sluice.S3.Xml;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice check` through the real executable against the embedded server: what is only on one side, what differs in
/// size or content (by stored checksum, MD5 ETag or recomputed multipart ETag), both ways, without copying; exit 1
/// and one stderr line when anything differs.
/// </summary>
public sealed class CheckCommandTests() : ServerCommandTests("AKIDCHECK", "check/secret", "check")
{
    private static readonly DateTime LongAgo = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private S3Client Client(Uri? endpoint = null) =>
        new(new S3ClientOptions { Endpoint = endpoint ?? Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private static string[] Lines(SluiceProcess.Result r) => r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    // Same size, other bytes, an old modification time: only a content comparison can see the change.
    private static void Rewrite(string path, int seed)
    {
        var bytes = new byte[new FileInfo(path).Length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, LongAgo);
    }

    private static void Differences(SluiceProcess.Result r, int count)
    {
        OneLineError(r, 1, $"^sluice: check: {count} difference{(count == 1 ? "" : "s")} found$");
    }

    [Fact]
    public void A_directory_and_a_prefix_are_compared_both_ways_by_size_and_content()
    {
        Ok(Sluice("mb", "s3://chk"));
        string dir = Local("dir");
        string a = NewFile("dir/a.bin", 1000, 1), b = NewFile("dir/sub/b.bin", 2000, 2), c = NewFile("dir/c.bin", 3000, 3);
        NewFile("dir/skip.tmp", 10, 4);
        Ok(Sluice("sync", dir, "s3://chk/p"));

        var same = Ok(Sluice("check", dir, "s3://chk/p"));
        Assert.Equal("", same.StdOut);
        Assert.Equal("", same.StdErr);
        Assert.Equal("", Ok(Sluice("check", "s3://chk/p/", dir)).StdOut);

        Rewrite(a, 10);                               // same size, other content
        File.AppendAllText(c, "x");                   // other size
        File.Delete(b);                               // only in the destination
        string d = NewFile("dir/d.bin", 500, 5);      // only in the source
        var check = Sluice("check", "--exclude", "*.tmp", dir, "s3://chk/p");
        Differences(check, 4);
        Assert.Equal(
        [
            $"differ: {a} and s3://chk/p/a.bin (CRC64NVME ",
            $"differ: {c} and s3://chk/p/c.bin (sizes 3001 and 3000)",
            $"only in source: {d}",
            "only in destination: s3://chk/p/sub/b.bin",
        ], Lines(check).Select(l => l.StartsWith("differ: " + a, StringComparison.Ordinal) ? l[..l.IndexOf("CRC64NVME ", StringComparison.Ordinal)] + "CRC64NVME " : l));

        // The other way round, the sides swap.
        var back = Sluice("check", "--exclude", "*.tmp", "s3://chk/p", dir);
        Differences(back, 4);
        Assert.Contains($"only in source: s3://chk/p/sub/b.bin", Lines(back));
        Assert.Contains($"only in destination: {d}", Lines(back));

        // --one-way ignores what only the destination has; --size-only the same-sized change.
        Differences(Sluice("check", "--one-way", "--exclude", "*.tmp", dir, "s3://chk/p"), 3);
        var sizes = Sluice("check", "--size-only", "--exclude", "*.tmp", dir, "s3://chk/p");
        Differences(sizes, 3);
        Assert.DoesNotContain(Lines(sizes), l => l.Contains("a.bin", StringComparison.Ordinal));

        // JSON: a record for every path, the same ones too, and the counts in the summary.
        var json = Sluice("check", "--json", "--exclude", "*.tmp", dir, "s3://chk/p");
        Assert.Equal(1, json.ExitCode);
        var records = json.StdOut.TrimEnd('\n').Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var results = records.Where(e => e.GetProperty("type").GetString() == "check")
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("result").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["a.bin"] = "differ", ["c.bin"] = "differ", ["d.bin"] = "onlyInSource", ["sub/b.bin"] = "onlyInDestination",
        }, results);
        var summary = records[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal(2, summary.GetProperty("differ").GetInt32());
        Assert.Equal(1, summary.GetProperty("onlyInSource").GetInt32());
        Assert.Equal(1, summary.GetProperty("onlyInDestination").GetInt32());
        Assert.Equal(0, summary.GetProperty("same").GetInt32());
        Assert.Equal(4, summary.GetProperty("files").GetInt32());

        // Made equal again by sync: nothing to report (checking copied nothing meanwhile).
        Ok(Sluice("sync", "--delete", "--exclude", "*.tmp", dir, "s3://chk/p"));
        Assert.Equal("", Ok(Sluice("check", "--exclude", "*.tmp", dir, "s3://chk/p")).StdOut);
        OneLineError(Sluice("check", dir, Local("elsewhere")), 2, "^sluice: check: one side must be an s3:// location$");
        OneLineError(Sluice("check", Local("no-such-dir"), "s3://chk/p"), 1, "^sluice: check: .*no-such-dir: no such directory$");
    }

    [Fact]
    public async Task Two_prefixes_are_compared_by_etag_and_stored_checksums()
    {
        Ok(Sluice("mb", "s3://left"));
        Ok(Sluice("mb", "s3://right"));
        NewFile("src/a.bin", 4000, 1);
        NewFile("src/b.bin", 4000, 2);
        Ok(Sluice("cp", "-r", Local("src"), "s3://left/x/"));
        Ok(Sluice("cp", "-r", "s3://left/x/", "s3://right/y/"));
        Assert.Equal("", Ok(Sluice("check", "s3://left/x/", "s3://right/y/")).StdOut);

        // Same size, other bytes, both with stored CRCs.
        Ok(Sluice("cp", NewFile("other.bin", 4000, 3), "s3://right/y/a.bin"));
        var crc = Sluice("check", "s3://left/x/", "s3://right/y/");
        Differences(crc, 1);
        Assert.StartsWith("differ: s3://left/x/a.bin and s3://right/y/a.bin (CRC64NVME ", Assert.Single(Lines(crc)));

        // Plain PUTs (no stored checksum): single-part ETags are MD5s of the bytes, on both sides.
        await using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest("left", "x/b.bin"), File.ReadAllBytes(Local("src/b.bin")));
        await client.PutObjectAsync(new PutObjectRequest("right", "y/b.bin"), File.ReadAllBytes(Local("src/b.bin")));
        Assert.Single(Lines(Sluice("check", "s3://left/x/", "s3://right/y/"))); // b.bin: equal MD5 ETags
        await client.PutObjectAsync(new PutObjectRequest("right", "y/b.bin"), File.ReadAllBytes(Local("other.bin")));
        var md5 = Sluice("check", "s3://left/x/", "s3://right/y/");
        Differences(md5, 2);
        Assert.Contains(Lines(md5), l => l.StartsWith("differ: s3://left/x/b.bin and s3://right/y/b.bin (MD5 ETags ", StringComparison.Ordinal));

        // And a local file against a plain PUT: its MD5 against the ETag.
        Assert.DoesNotContain(Lines(Sluice("check", "--one-way", Local("src"), "s3://left/x/")), l => l.Contains("b.bin", StringComparison.Ordinal));
        Assert.Contains(Lines(Sluice("check", Local("src"), "s3://right/y/")), l => l.StartsWith($"differ: {Local("src/b.bin")} and s3://right/y/b.bin (MD5 ", StringComparison.Ordinal));
    }

    /// <summary>A multipart upload without checksums in parts of <paramref name="partSize"/>: the ETag is "md5-of-md5s-N".</summary>
    private static async Task<string> PutMultipartPlainAsync(S3Client client, string bucket, string key, byte[] data, int partSize)
    {
        string uploadId = await client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, key));
        var parts = new List<CompletedPart>();
        for (int offset = 0, number = 1; offset < data.Length; offset += partSize, number++)
        {
            var part = await client.UploadPartAsync(new UploadPartRequest(bucket, key, uploadId, number), data.AsMemory(offset, Math.Min(partSize, data.Length - offset)));
            parts.Add(part.ToCompletedPart());
        }
        return (await client.CompleteMultipartUploadAsync(bucket, key, uploadId, parts)).ETag!;
    }

    [Fact]
    public async Task A_multipart_etag_is_recomputed_from_the_part_size_and_without_one_the_pair_is_unverified()
    {
        const int PartSize = 5 << 20;
        Ok(Sluice("mb", "s3://parts"));
        string file = NewFile("mp/big.bin", 2 * PartSize + 12345, 7);
        await using (var client = Client())
        {
            string etag = await PutMultipartPlainAsync(client, "parts", "big.bin", File.ReadAllBytes(file), PartSize);
            Assert.EndsWith("-3\"", etag, StringComparison.Ordinal);
        }

        // The embedded server answers HEAD ?partNumber=N as S3 does (the part's length and range, the part count): the
        // ETag is recomputed over the file in parts of the first one's size. Seen through a relaying proxy.
        await using (var relay = new FaultProxy(Server.LocalEndPoint, _ => Fault.None))
        {
            var viaRelay = new Dictionary<string, string?>(Environment()) { ["AWS_ENDPOINT_URL"] = relay.Endpoint.ToString() };
            var same = SluiceProcess.Run(viaRelay, null, "check", Local("mp"), "s3://parts");
            Assert.True(same.ExitCode == 0, same.StdOut + same.StdErr);
            Assert.Equal("", same.StdOut);
            Assert.Contains(relay.RequestHeads, h => h.StartsWith("HEAD /parts/big.bin?partNumber=1 ", StringComparison.Ordinal));
        }

        // A server without part reads (501, as the embedded one answered before it had them): the part sizes, and so
        // the content, are unknown.
        await using var proxy = new FaultProxy(Server.LocalEndPoint, _ => Fault.None, answer: head =>
            head.StartsWith("HEAD /parts/big.bin?partNumber=", StringComparison.Ordinal)
                ? "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nx-amz-request-id: proxy\r\n\r\n"
                : null);
        var noParts = new Dictionary<string, string?>(Environment()) { ["AWS_ENDPOINT_URL"] = proxy.Endpoint.ToString() };
        var unknown = SluiceProcess.Run(noParts, null, "check", Local("mp"), "s3://parts");
        OneLineError(unknown, 1, @"^sluice: check: 0 differences found, 1 of the same size could not be compared by content \(--size-only accepts equal sizes\)$");
        Assert.Matches(@"^unverified: .*big\.bin and s3://parts/big\.bin \(.*partNumber.*\)\n$", unknown.StdOut);
        Assert.Equal("", Ok(SluiceProcess.Run(noParts, null, "check", "--size-only", Local("mp"), "s3://parts")).StdOut);

        // Other bytes: the ETag over the first part's size does not match, and neither does it over each part's exact size.
        Rewrite(file, 8);
        var differ = Sluice("check", Local("mp"), "s3://parts");
        Differences(differ, 1);
        Assert.Matches(@"^differ: .*big\.bin and s3://parts/big\.bin \(multipart ETag [0-9a-f]{32}-3 over its 3 parts against [0-9a-f]{32}-3\)\n$", differ.StdOut);
    }
}
