using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// What cp and sync set on the objects they write, read back with HEAD from the Sluice server: content headers (and the
/// type guessed as aws guesses it), metadata, storage class and tags (read back with GetObjectTagging and HEAD's tag
/// count), on single and multipart uploads, copies, mv and sync. What the server does not implement (ACLs; SSE-KMS when it
/// has no key file) fails loudly with the server's error, never a silent success.
/// RgwAttributeCommandTests checks those against a real RADOS Gateway.
/// </summary>
public sealed class ObjectAttributeCommandTests() : ServerCommandTests("AKIDCLIATTRS", "cli/attrs+secret", "attrs")
{
    private S3Client Client() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private static readonly string[] Headers =
    [
        "--content-type", "text/x-test", "--cache-control", "max-age=60", "--content-disposition", "attachment; filename=\"x.bin\"",
        "--content-encoding", "identity", "--content-language", "de-CH", "--expires", "2030-01-02T03:04:05Z",
        "--metadata", "owner=ops,Color=blue", "--storage-class", "STANDARD_IA",
    ];

    private static void AssertHeaders(ObjectMetadata head)
    {
        Assert.Equal("text/x-test", head.ContentType);
        Assert.Equal("max-age=60", head.CacheControl);
        Assert.Equal("attachment; filename=\"x.bin\"", head.ContentDisposition);
        Assert.Equal("identity", head.ContentEncoding);
        Assert.Equal("de-CH", head.ContentLanguage);
        Assert.Equal("Wed, 02 Jan 2030 03:04:05 GMT", head.Expires);
        Assert.Equal("STANDARD_IA", head.StorageClass);
        Assert.Equal("ops", head.UserMetadata["owner"]);
        Assert.Equal("blue", head.UserMetadata["color"]);
    }

    [Fact]
    public async Task Uploads_single_and_multipart_and_copies_with_replace_carry_the_headers_asked()
    {
        await using var client = Client();
        Ok(Sluice("mb", "s3://attrs"));
        string small = NewFile("small.bin", 1000, 1), big = NewFile("big.bin", 17 << 20, 2); // big: above the 16 MiB multipart threshold
        Ok(Sluice([.. new[] { "cp", small, "s3://attrs/small" }, .. Headers]));
        AssertHeaders(await client.HeadObjectAsync("attrs", "small"));
        Ok(Sluice([.. new[] { "cp", "--part-size", "5MiB", big, "s3://attrs/big" }, .. Headers]));
        AssertHeaders(await client.HeadObjectAsync("attrs", "big"));
        Ok(Sluice([.. new[] { "sync", Local("."), "s3://attrs/synced/", "--exclude", "*", "--include", "small.bin" }, .. Headers]));
        AssertHeaders(await client.HeadObjectAsync("attrs", "synced/small.bin"));

        // A copy keeps the source's headers (COPY) unless told to REPLACE them; setting one without REPLACE is refused.
        Ok(Sluice("cp", small, "s3://attrs/plain.txt"));
        Ok(Sluice("cp", "s3://attrs/small", "s3://attrs/kept"));
        AssertHeaders(await client.HeadObjectAsync("attrs", "kept"));
        Ok(Sluice([.. new[] { "cp", "s3://attrs/plain.txt", "s3://attrs/replaced", "--metadata-directive", "REPLACE" }, .. Headers]));
        AssertHeaders(await client.HeadObjectAsync("attrs", "replaced"));
        Ok(Sluice("cp", "s3://attrs/small", "s3://attrs/emptied", "--metadata-directive", "REPLACE", "--content-type", "a/b"));
        var emptied = await client.HeadObjectAsync("attrs", "emptied");
        Assert.Equal("a/b", emptied.ContentType);
        Assert.Empty(emptied.UserMetadata);
        Assert.Null(emptied.CacheControl);
        OneLineError(Sluice("cp", "s3://attrs/small", "s3://attrs/x", "--content-type", "a/b"), 2,
            "^sluice: cp: a copy keeps the source's content headers and metadata: --content-type needs --metadata-directive REPLACE$");
        // Options that set what is written do not apply to a download: refused, not ignored.
        OneLineError(Sluice("cp", "s3://attrs/small", Local("down.bin"), "--cache-control", "x"), 2, "^sluice: cp: --cache-control applies to an upload or copy, not here$");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--metadata-directive", "COPY"), 2, "^sluice: cp: --metadata-directive applies to a copy from s3, not here$");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--metadata", "a"), 2, "^sluice: cp: --metadata: 'a' is not key=value$");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--expires", "soon"), 2, "^sluice: cp: --expires: 'soon' is not a date");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--sse-kms-key-id", "k"), 2, "^sluice: cp: --sse-kms-key-id needs --sse aws:kms$");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--sse-c", "--sse-c-key", "short"), 2, "^sluice: cp: --sse-c-key must be 32 bytes");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--sse-c-key", new string('k', 32)), 2, "^sluice: cp: --sse-c-key needs --sse-c$");
        OneLineError(Sluice("cp", small, "s3://attrs/y", "--acl", "everyone"), 2, "^sluice: .*everyone");
    }

    [Fact]
    public async Task The_type_is_guessed_from_the_extension_as_aws_does_unless_told_not_to()
    {
        await using var client = Client();
        Ok(Sluice("mb", "s3://guess"));
        foreach (string name in new[] { "page.html", "data.json", "photo.JPG", "backup.tar.gz", "log.gz", "notes" }) NewFile(Path.Combine("site", name), 10, 1);
        Ok(Sluice("cp", "-r", Local("site"), "s3://guess/a/"));
        Ok(Sluice("cp", "-r", "--no-guess-mime-type", Local("site"), "s3://guess/b/"));
        Ok(Sluice("cp", "--content-type", "text/plain", Local("site/page.html"), "s3://guess/c.html"));
        var expected = new Dictionary<string, string?>
        {
            ["page.html"] = "text/html", ["data.json"] = "application/json", ["photo.JPG"] = "image/jpeg", ["backup.tar.gz"] = "application/x-tar",
            ["log.gz"] = null, ["notes"] = null,
        };
        foreach (var (name, type) in expected)
        {
            // No type sent: the server's default, as S3's.
            Assert.Equal(type ?? "binary/octet-stream", (await client.HeadObjectAsync("guess", "a/" + name)).ContentType);
            Assert.Equal("binary/octet-stream", (await client.HeadObjectAsync("guess", "b/" + name)).ContentType);
        }
        Assert.Equal("text/plain", (await client.HeadObjectAsync("guess", "c.html")).ContentType);
    }

    [Fact]
    public async Task Tagging_sets_the_tags_of_uploads_single_and_multipart_copies_moves_and_syncs()
    {
        await using var client = Client();
        Ok(Sluice("mb", "s3://tags"));
        string small = NewFile("t.bin", 1000, 5), big = NewFile("u.bin", 17 << 20, 6); // big: above the 16 MiB multipart threshold
        const string Tagging = "team=data&note=a%20b%2Bc";
        KeyValuePair<string, string>[] expected = [new("note", "a b+c"), new("team", "data")];
        async Task<KeyValuePair<string, string>[]> TagsOf(string key) =>
            [.. (await client.GetObjectTaggingAsync("tags", key)).OrderBy(t => t.Key, StringComparer.Ordinal)];

        Ok(Sluice("cp", small, "s3://tags/small", "--tagging", Tagging));
        Assert.Equal(expected, await TagsOf("small"));
        Assert.Equal(2, (await client.HeadObjectAsync("tags", "small")).TagCount);
        Ok(Sluice("cp", "--part-size", "5MiB", big, "s3://tags/big", "--tagging", Tagging));
        Assert.Equal(expected, await TagsOf("big"));
        Assert.Equal(2, (await client.HeadObjectAsync("tags", "big")).TagCount);

        // A copy keeps the source's tags unless given its own (x-amz-tagging-directive REPLACE).
        Ok(Sluice("cp", "s3://tags/small", "s3://tags/kept"));
        Assert.Equal(expected, await TagsOf("kept"));
        Ok(Sluice("cp", "s3://tags/small", "s3://tags/replaced", "--tagging", "k=v"));
        Assert.Equal([new("k", "v")], await TagsOf("replaced"));

        // mv takes the same attributes as cp (upload and copy), and reports through the same output.
        var moved = Sluice("mv", small, "s3://tags/moved", "--tagging", "m=1", "--json");
        Ok(moved);
        Assert.Contains("\"type\":\"transfer\",\"op\":\"upload\"", moved.StdOut);
        Assert.Contains("\"type\":\"delete\"", moved.StdOut);
        Assert.False(File.Exists(small));
        Assert.Equal([new("m", "1")], await TagsOf("moved"));
        Ok(Sluice("mv", "s3://tags/moved", "s3://tags/moved2", "--tagging", "m=2", "--metadata-directive", "REPLACE", "--content-type", "text/x-moved"));
        Assert.Equal([new("m", "2")], await TagsOf("moved2"));
        Assert.Equal("text/x-moved", (await client.HeadObjectAsync("tags", "moved2")).ContentType);
        Assert.Equal(404, (await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync("tags", "moved"))).StatusCode);

        Ok(Sluice("sync", Local("."), "s3://tags/synced/", "--exclude", "*", "--include", "u.bin", "--tagging", Tagging));
        Assert.Equal(expected, await TagsOf("synced/u.bin"));
        OneLineError(Sluice("cp", big, "s3://tags/bad", "--tagging", "a=1&a=2"), 2, "^sluice: cp: --tagging: 'a=2' is a repeated key$");
    }

    [Fact]
    public void What_the_server_does_not_implement_fails_with_its_error_and_writes_nothing()
    {
        Ok(Sluice("mb", "s3://unsup"));
        string small = NewFile("f.bin", 100, 3), big = NewFile("g.bin", 17 << 20, 4);
        foreach (string[] flags in new string[][]
                 {
                     // SSE-S3 and SSE-C are done (EncryptionCommandTests); SSE-KMS needs a key file this server was not given.
                     ["--acl", "aws-exec-read"], ["--sse", "aws:kms", "--sse-kms-key-id", "k1"],
                 })
        {
            foreach (string file in new[] { small, big })
            {
                var r = Sluice([.. new[] { "cp", file, "s3://unsup/obj" }, .. flags]);
                Assert.True(r.ExitCode == 1, $"{string.Join(' ', flags)}: exit {r.ExitCode} {r.StdErr}");
                Assert.Contains("NotImplemented", r.StdErr);
                Assert.Contains("(HTTP 501)", r.StdErr);
            }
        }
        OneLineError(Sluice("ls", "s3://unsup/obj"), 1, "^sluice: ls: nothing matches ");
        Ok(Sluice("cp", small, "s3://unsup/src"));
        var copy = Sluice("cp", "s3://unsup/src", "s3://unsup/dst", "--acl", "aws-exec-read");
        Assert.Equal(1, copy.ExitCode);
        Assert.Contains("NotImplemented", copy.StdErr);
    }
}
