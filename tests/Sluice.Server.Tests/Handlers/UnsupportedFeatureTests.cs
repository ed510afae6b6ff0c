using System.Text;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Headers asking for features the server lacks (encryption, object lock, ACLs, tags, redirects, appends) are refused
/// with 501 NotImplemented (400 InvalidArgument for a value S3 refuses) and change nothing; the values the server
/// honours as they are still succeed. Also response-* overrides that would inject header bytes.
/// </summary>
public class UnsupportedFeatureTests
{
    private const string SseCKey = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="; // 32 bytes, base64
    private const string SseCKeyMd5 = "CY9rzUYh03PK3k6DJie09g==";

    public static TheoryData<string, string, string> RefusedOnPut => new()
    {
        // Encryption is done (EncryptionHandlerTests); what remains refused: dual-layer KMS, and incomplete or
        // unknown encryption headers as S3 refuses them.
        { "x-amz-server-side-encryption", "aws:kms:dsse", "NotImplemented" },
        { "x-amz-server-side-encryption", "bogus", "InvalidArgument" },
        { "x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:us-east-1:1:key/1", "InvalidArgument" },
        { "x-amz-server-side-encryption-customer-algorithm", "AES256", "InvalidArgument" },
        { "x-amz-server-side-encryption-customer-key", SseCKey, "InvalidArgument" },
        { "x-amz-server-side-encryption-customer-key-MD5", SseCKeyMd5, "InvalidArgument" },
        { "x-amz-object-lock-mode", "COMPLIANCE", "InvalidRequest" }, // on a bucket without object lock
        { "x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z", "InvalidRequest" }, // on a bucket without object lock
        { "x-amz-object-lock-legal-hold", "ON", "InvalidRequest" }, // on a bucket without object lock
        { "x-amz-acl", "aws-exec-read", "NotImplemented" },
        { "x-amz-acl", "bogus-acl", "InvalidArgument" },
        { "x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/Nobody\"", "InvalidArgument" },
        { "x-amz-grant-full-control", "id=\"123\"", "InvalidArgument" },
        { "x-amz-website-redirect-location", "/other", "NotImplemented" },
        { "x-amz-write-offset-bytes", "4", "NotImplemented" },
        { "x-amz-storage-class", "BOGUS", "InvalidStorageClass" },
    };

    private static async Task<TestServer> WithObject()
    {
        var t = await TestServer.StartAsync();
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bkt")).Status);
        Assert.Equal(200, (await t.Client.PutObjectAsync("bkt", "existing", "old"u8.ToArray())).Status);
        return t;
    }

    private static async Task AssertRefused(TestServer t, S3Response r, string code, string key, int? status = null)
    {
        Assert.True(r.ErrorCode == code, $"{r.Status} {r.Text}");
        Assert.Equal(status ?? (code == "NotImplemented" ? 501 : 400), r.Status);
        // Nothing changed: a new key was not created, an existing one kept its bytes.
        var get = await t.Client.GetObjectAsync("bkt", key);
        if (key == "existing") Assert.Equal("old", Encoding.UTF8.GetString(get.Body));
        else Assert.Equal(404, get.Status);
    }

    [Theory]
    [MemberData(nameof(RefusedOnPut))]
    public async Task Put_create_multipart_and_copy_refuse_what_they_cannot_honour(string header, string value, string code)
    {
        await using var t = await WithObject();
        var c = t.Client;
        await AssertRefused(t, await c.PutObjectAsync("bkt", "new", "data"u8.ToArray(), (header, value)), code, "new");
        await AssertRefused(t, await c.PutObjectAsync("bkt", "existing", "data"u8.ToArray(), (header, value)), code, "existing");
        await AssertRefused(t, await c.SendAsync("POST", "/bkt/new", "uploads=", headers: [(header, value)]), code, "new");
        Assert.DoesNotContain("<Upload>", (await c.SendAsync("GET", "/bkt", "uploads=")).Text);
        await AssertRefused(t, await c.SendAsync("PUT", "/bkt/new", headers: [("x-amz-copy-source", "/bkt/existing"), (header, value)]), code, "new");
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption-customer-algorithm", "AES256")]
    [InlineData("x-amz-server-side-encryption-customer-key", SseCKey)]
    public async Task Parts_and_reads_of_unencrypted_objects_refuse_a_customer_key(string header, string value)
    {
        await using var t = await WithObject();
        var c = t.Client;
        var create = await c.SendAsync("POST", "/bkt/mp", "uploads=");
        string uploadId = System.Text.RegularExpressions.Regex.Match(create.Text, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
        var part = await c.SendAsync("PUT", "/bkt/mp", $"partNumber=1&uploadId={uploadId}", "p"u8.ToArray(), headers: [(header, value)]);
        Assert.Equal((400, "InvalidRequest"), (part.Status, part.ErrorCode));
        Assert.DoesNotContain("<Part>", (await c.SendAsync("GET", "/bkt/mp", $"uploadId={uploadId}")).Text);
        var partCopy = await c.SendAsync("PUT", "/bkt/mp", $"partNumber=1&uploadId={uploadId}",
            headers: [("x-amz-copy-source", "/bkt/existing"), ("x-amz-copy-source-server-side-encryption-customer-algorithm", "AES256")]);
        Assert.Equal((400, "InvalidRequest"), (partCopy.Status, partCopy.ErrorCode));
        var get = await c.GetObjectAsync("bkt", "existing", (header, value));
        Assert.Equal((400, "InvalidRequest"), (get.Status, get.ErrorCode));
        var copy = await c.SendAsync("PUT", "/bkt/new", headers:
            [("x-amz-copy-source", "/bkt/existing"), ("x-amz-copy-source-server-side-encryption-customer-algorithm", "AES256")]);
        Assert.Equal((400, "InvalidRequest"), (copy.Status, copy.ErrorCode));
        Assert.Equal(404, (await c.GetObjectAsync("bkt", "new")).Status);
    }

    [Fact]
    public async Task Create_bucket_refuses_object_lock_acls_and_grants()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        async Task Refused(string bucket, string header, string value, string code)
        {
            var r = await c.SendAsync("PUT", "/" + bucket, headers: [(header, value)]);
            Assert.True(r.ErrorCode == code, $"{header}: {value}: {r.Status} {r.Text}");
            Assert.Equal(404, (await c.SendAsync("HEAD", "/" + bucket)).Status);
        }
        await Refused("bk2", "x-amz-bucket-object-lock-enabled", "maybe", "InvalidArgument");
        await Refused("bk3", "x-amz-acl", "aws-exec-read", "NotImplemented");
        await Refused("bk4", "x-amz-acl", "bogus-acl", "InvalidArgument");
        await Refused("bk5", "x-amz-grant-write", "id=\"1\"", "InvalidArgument");
        // ACLs disabled and a public ACL asked for at once: S3 refuses the pair.
        var both = await c.SendAsync("PUT", "/bk6", headers: [("x-amz-object-ownership", "BucketOwnerEnforced"), ("x-amz-acl", "public-read")]);
        Assert.True(both.ErrorCode == "InvalidBucketAclWithObjectOwnership", both.Text);
        Assert.Equal(404, (await c.SendAsync("HEAD", "/bk6")).Status);
        await Refused("bk7", "x-amz-object-ownership", "Nobody", "InvalidArgument");
    }

    [Fact]
    public async Task The_values_the_server_honours_are_accepted()
    {
        await using var t = await WithObject();
        var c = t.Client;
        (string, string)[] bucketHeaders =
            [("x-amz-bucket-object-lock-enabled", "false"), ("x-amz-acl", "private"), ("x-amz-object-ownership", "ObjectWriter"),
             ("x-amz-object-ownership", "BucketOwnerPreferred"), ("x-amz-object-ownership", "BucketOwnerEnforced")];
        for (int i = 0; i < bucketHeaders.Length; i++)
            Assert.Equal(200, (await c.SendAsync("PUT", "/ok" + i, headers: [bucketHeaders[i]])).Status);
        (string, string)[] honoured =
        [
            ("x-amz-acl", "private"), ("x-amz-acl", "bucket-owner-full-control"), ("x-amz-storage-class", "STANDARD"),
            ("x-amz-request-payer", "requester"),
        ];
        foreach (var header in honoured)
        {
            var put = await c.PutObjectAsync("bkt", "k", "new"u8.ToArray(), header);
            Assert.True(put.Status == 200, $"{header}: {put.Text}");
        }
    }

    [Fact]
    public async Task An_expected_bucket_owner_other_than_the_server_is_access_denied()
    {
        await using var t = await WithObject();
        var c = t.Client;
        var put = await c.PutObjectAsync("bkt", "new", "data"u8.ToArray(), ("x-amz-expected-bucket-owner", "111122223333"));
        await AssertRefused(t, put, "AccessDenied", "new", 403);
        Assert.Equal(403, (await c.GetObjectAsync("bkt", "existing", ("x-amz-expected-bucket-owner", "111122223333"))).Status);
        Assert.Equal(403, (await c.SendAsync("GET", "/bkt", "list-type=2", headers: [("x-amz-expected-bucket-owner", "111122223333")])).Status);
        var copy = await c.SendAsync("PUT", "/bkt/new", headers: [("x-amz-copy-source", "/bkt/existing"), ("x-amz-source-expected-bucket-owner", "111122223333")]);
        await AssertRefused(t, copy, "AccessDenied", "new", 403);
        // The owner every bucket has is accepted.
        Assert.Equal(200, (await c.PutObjectAsync("bkt", "new", "data"u8.ToArray(), ("x-amz-expected-bucket-owner", "sluice"))).Status);
    }

    [Theory]
    [InlineData("response-content-type", "text/plain%0D%0AX-Injected:1")]
    [InlineData("response-content-type", "text/plain%0AX-Injected:1")]
    [InlineData("response-content-disposition", "attachment%0D%0AX-Injected:1")]
    [InlineData("response-cache-control", "a%00b")]
    [InlineData("response-content-language", "de%09CH")]
    [InlineData("response-expires", "x%7F")]
    [InlineData("response-content-encoding", "gzip%0D")]
    public async Task A_response_override_with_a_control_character_is_invalid_argument(string parameter, string value)
    {
        await using var t = await WithObject();
        var errors = new List<string>();
        foreach (var method in new[] { "GET", "HEAD" })
        {
            var r = await t.Client.SendAsync(method, "/bkt/existing", $"{parameter}={value}");
            Assert.True(r.Status == 400, $"{method}: {r.Status} {r.Text}");
            if (method == "GET") Assert.Equal("InvalidArgument", r.ErrorCode);
            Assert.DoesNotContain(r.Headers.Keys, k => k.Contains("injected", StringComparison.OrdinalIgnoreCase));
        }
        // Spaces around a value are not part of a header value: trimmed, not a server error.
        var spaced = await t.Client.SendAsync("GET", "/bkt/existing", "response-content-type=%20text/plain%20");
        Assert.Equal(200, spaced.Status);
        Assert.Equal("text/plain", spaced.Header("Content-Type"));
    }
}
