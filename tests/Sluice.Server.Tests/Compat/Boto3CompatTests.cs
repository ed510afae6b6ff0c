using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Debian's python3-boto3 against the in-process server, through Scripts/boto3_compat.py (one Python process per
/// scenario): buckets, put/get with metadata, s3transfer's multipart upload and ranged parallel download of
/// ≥ 100 MB, ranges, copy_object and the managed multipart copy, DeleteObjects, flexible checksums in headers and as
/// aws-chunked trailers (CRC32, CRC32C, SHA-1, SHA-256; validated on GET with ChecksumMode=ENABLED), conditional
/// reads and a create-only PUT, object and bucket tagging, presigned GET and PUT (SigV4, and botocore 1.29's default SigV2),
/// generate_presigned_post forms (SigV2 and SigV4 fields) uploaded with requests, and V1/V2 paginators across 1000 keys. boto3 1.26 (botocore
/// 1.29) predates CRC64NVME and sends trailers only over TLS, which the script switches on for plain HTTP.
/// </summary>
public class Boto3CompatTests : IClassFixture<CompatServer>
{
    private static readonly string s_script = Path.Combine(AppContext.BaseDirectory, "Compat", "Scripts", "boto3_compat.py");
    private readonly CompatServer _s;
    private readonly Dictionary<string, string> _env;

    public Boto3CompatTests(CompatServer server)
    {
        _s = server;
        _env = _s.AwsProfileEnvironment("boto");
        _env["PYTHONDONTWRITEBYTECODE"] = "1";
    }

    private async Task<JsonElement> Run(string scenario, params string[] args)
    {
        var r = (await _s.RunAsync(Clients.Python, [s_script, scenario, _s.Endpoint, .. args], _env)).Ok();
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    private static (string Code, int Status) Error(JsonElement e) => (e[0].GetString()!, e[1].GetInt32());

    [ClientFact(S3Client.Boto3)]
    public async Task Object_and_bucket_tags_round_trip()
    {
        var (large, _) = _s.RandomFile(CompatServer.LargeSize, "tagged-large");
        var r = await Run("tagging", large);
        static List<string> Pairs(JsonElement e) => e.EnumerateArray().Select(p => p[0].GetString() + "=" + p[1].GetString()).ToList();
        Assert.Equal(["team=blue", "cost center=4 2"], Pairs(r.GetProperty("put")));
        Assert.Equal(2, r.GetProperty("count").GetInt32());
        Assert.Equal(["only=one"], Pairs(r.GetProperty("replaced")));
        Assert.Equal(["only=one"], Pairs(r.GetProperty("copied")));
        Assert.Equal(["fresh=yes"], Pairs(r.GetProperty("retagged")));
        Assert.Equal(("InvalidTag", 400), Error(r.GetProperty("tooMany")));
        Assert.Equal(["only=one"], Pairs(r.GetProperty("afterRefusal")));
        Assert.Empty(Pairs(r.GetProperty("deleted")));
        Assert.Equal(["stage=raw"], Pairs(r.GetProperty("multipart")));
        Assert.Contains("-", r.GetProperty("multipartETag").GetString(), StringComparison.Ordinal);
        Assert.Equal(("NoSuchTagSet", 404), Error(r.GetProperty("noBucketTags")));
        Assert.Equal(["owner=ci", "env=test"], Pairs(r.GetProperty("bucket")));
        Assert.Equal(("NoSuchTagSet", 404), Error(r.GetProperty("bucketDeleted")));
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Buckets_are_created_listed_located_and_removed()
    {
        var r = await Run("buckets");
        Assert.Contains("boto-buckets", r.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(JsonValueKind.Null, r.GetProperty("location").ValueKind); // us-east-1 is reported as no constraint
        Assert.Equal(200, r.GetProperty("again").GetInt32());
        Assert.Equal(("BucketNotEmpty", 409), Error(r.GetProperty("notEmpty")));
        Assert.Equal(("404", 404), Error(r.GetProperty("gone")));
        Assert.Equal(("NoSuchBucket", 404), Error(r.GetProperty("missing")));
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Small_and_multipart_objects_round_trip_ranges_copy_and_batch_delete()
    {
        var (small, _) = _s.RandomFile(4321, "small");
        var (large, largeData) = _s.RandomFile(CompatServer.LargeSize, "large");
        string outDir = _s.NewPath("out");
        Directory.CreateDirectory(outDir);
        var r = await Run("objects", small, large, outDir);
        CompatServer.AssertFileEquals(largeData, Path.Combine(outDir, "large.out"));
        int parts = (CompatServer.LargeSize + 8 * 1024 * 1024 - 1) / (8 * 1024 * 1024);
        Assert.EndsWith($"-{parts}\"", r.GetProperty("etag").GetString());
        Assert.Equal(CompatServer.LargeSize, r.GetProperty("length").GetInt64());
        var ranges = r.GetProperty("ranges");
        Assert.Equal($"bytes 0-0/{CompatServer.LargeSize}", ranges.GetProperty("bytes=0-0").GetString());
        Assert.Equal($"bytes 12345-1048576/{CompatServer.LargeSize}", ranges.GetProperty("bytes=12345-1048576").GetString());
        Assert.Equal($"bytes {CompatServer.LargeSize - 100}-{CompatServer.LargeSize - 1}/{CompatServer.LargeSize}",
            ranges.GetProperty("bytes=-100").GetString());
        Assert.Equal(("InvalidRange", 416), Error(r.GetProperty("badRange")));
        Assert.Equal(["absent", "small", "small-copy"], r.GetProperty("deleted").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(0, r.GetProperty("errors").GetArrayLength());
        Assert.Equal(["large"], r.GetProperty("left").EnumerateArray().Select(k => k.GetString()));
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Flexible_checksums_in_headers_and_trailers_are_verified_and_returned()
    {
        var (path, _) = _s.RandomFile(777_777);
        var r = await Run("checksums", path);
        var seen = r.GetProperty("seen");
        foreach (var algorithm in new[] { "CRC32", "CRC32C", "SHA256" })
            Assert.Equal(seen.GetProperty("header-" + algorithm).GetString(), seen.GetProperty("trailer-" + algorithm).GetString());
        Assert.Equal(("BadDigest", 400), Error(r.GetProperty("bad")));
        int parts = r.GetProperty("parts").GetInt32();
        Assert.EndsWith($"-{parts}", r.GetProperty("mpuChecksum").GetString());
        Assert.Equal(r.GetProperty("mpuChecksum").GetString(), r.GetProperty("mpuGetChecksum").GetString());
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Conditional_requests_and_create_only_put()
    {
        var r = await Run("conditions");
        Assert.Equal(("PreconditionFailed", 412), Error(r.GetProperty("exists")));
        Assert.Equal("first", r.GetProperty("match").GetString());
        Assert.Equal(("PreconditionFailed", 412), Error(r.GetProperty("mismatch")));
        Assert.Equal(("304", 304), Error(r.GetProperty("notModified")));
        Assert.Equal(("412", 412), Error(r.GetProperty("headMismatch")));
        Assert.Equal(("PreconditionFailed", 412), Error(r.GetProperty("copyFail")));
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Presigned_put_and_get()
    {
        var (path, data) = _s.RandomFile(200_000);
        var r = await Run("presigned", path);
        Assert.Equal(200, r.GetProperty("putStatus").GetInt32());
        Assert.Equal(200, r.GetProperty("v2PutStatus").GetInt32());
        var v2 = r.GetProperty("v2Error");
        Assert.Equal(403, v2[0].GetInt32());
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", v2[1].GetString());
        // The GET URL works from another HTTP client too, and only for the key it was signed for.
        string url = r.GetProperty("getUrl").GetString()!;
        var (status, body) = await CompatServer.HttpAsync(HttpMethod.Get, url);
        Assert.Equal(200, status);
        Assert.True(data.AsSpan().SequenceEqual(body));
        Assert.Equal(403, (await CompatServer.HttpAsync(HttpMethod.Get, url.Replace("/p?", "/q?", StringComparison.Ordinal))).Status);
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Presigned_post_uploads_with_sigv2_and_sigv4_fields()
    {
        var (path, _) = _s.RandomFile(100_000);
        var r = await Run("presigned_post", path);
        Assert.Equal(["AWSAccessKeyId", "Content-Type", "key", "policy", "signature", "x-amz-meta-by"],
            r.GetProperty("v2").GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["Content-Type", "key", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-meta-by", "x-amz-signature"],
            r.GetProperty("v4").GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
        foreach (string v in new[] { "v2", "v4" })
        {
            var result = r.GetProperty(v);
            Assert.Equal("image/png", result.GetProperty("contentType").GetString());
            Assert.Equal("boto3", result.GetProperty("metadata").GetProperty("by").GetString());
            Assert.Equal(400, result.GetProperty("tooLarge")[0].GetInt32());
            Assert.Contains("<Code>EntityTooLarge</Code>", result.GetProperty("tooLarge")[1].GetString());
        }
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Paginators_list_past_1000_keys_with_prefix_and_delimiter()
    {
        string keys = _s.NewPath("keys");
        File.WriteAllText(keys, string.Join('\n', ListingTree.Keys));
        var r = await Run("listing", keys);
        foreach (var op in new[] { "list_objects", "list_objects_v2" })
        {
            foreach (var pageSize in new[] { 1000, 300 })
            {
                var flat = r.GetProperty($"{op}/{pageSize}/none");
                Assert.Equal(ListingTree.Keys, flat.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
                Assert.Equal(0, flat.GetProperty("prefixes").GetArrayLength());
                Assert.Equal((ListingTree.Keys.Count + pageSize - 1) / pageSize, flat.GetProperty("pages").GetInt32());
                var grouped = r.GetProperty($"{op}/{pageSize}/slash");
                Assert.Equal(ListingTree.DirectKeys, grouped.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
                Assert.Equal([ListingTree.BoundaryPrefix], grouped.GetProperty("prefixes").EnumerateArray().Select(k => k.GetString()));
            }
        }
    }
}
