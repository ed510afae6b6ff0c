using System.Globalization;
using System.Text;
using Sluice.S3.Auth;

namespace Sluice.S3.Tests.Auth;

/// <summary>
/// SigV2 against the worked examples of the S3 developer guide's "Signing and authenticating REST requests" (the
/// johnsmith bucket, virtual-hosted; the signatures are the guide's): an object GET, a PUT with Content-Type, an upload
/// with Content-MD5 and repeated x-amz-meta headers joined, and a query-string GET; then the same requests tampered.
/// </summary>
public class SigV2VerifierTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE", Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static SigV2Verifier Verifier()
    {
        var store = new SigV4CredentialStore();
        store.Add(new SigV4Credential(AccessKey, Secret));
        return new SigV2Verifier(store);
    }

    private static DateTimeOffset At(string rfc) =>
        DateTimeOffset.ParseExact(rfc, "ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static SigV4AuthResult Verify(string method, string path, string? query, SigV4HeaderList headers, string bucket,
        DateTimeOffset now, out Sluice.S3.Errors.S3Error? error) =>
        Verifier().Verify(Encoding.ASCII.GetBytes(method), Encoding.ASCII.GetBytes(path), Encoding.ASCII.GetBytes(query ?? ""),
            headers, Encoding.ASCII.GetBytes(bucket), now, out error);

    private static SigV4HeaderList Headers(params (string Name, string Value)[] headers)
    {
        var list = new SigV4HeaderList();
        foreach (var (name, value) in headers) list.Add(name, value);
        return list;
    }

    [Fact]
    public void The_guides_object_get_and_put_verify_and_a_changed_header_does_not()
    {
        const string GetDate = "Tue, 27 Mar 2007 19:36:42 +0000";
        var get = Headers(("Host", "johnsmith.s3.amazonaws.com"), ("Date", GetDate),
            ("Authorization", $"AWS {AccessKey}:bWq2s1WEIj+Ydj0vQ697zp+IXMU="));
        Assert.True(SigV2Verifier.Applies(get, default));
        var ok = Verify("GET", "/photos/puppy.jpg", null, get, "johnsmith", At(GetDate), out var error);
        Assert.Null(error);
        Assert.True(ok.IsAuthenticated && ok.IsSigV2);
        Assert.Equal("AWS", ok.SignatureVersion);
        Assert.Equal(AccessKey, ok.Credential!.AccessKeyId);
        Assert.Equal(SigV4AuthMethod.Header, ok.Method);

        const string PutDate = "Tue, 27 Mar 2007 21:15:45 +0000";
        var put = Headers(("Host", "johnsmith.s3.amazonaws.com"), ("Date", PutDate), ("Content-Type", "image/jpeg"),
            ("Content-Length", "94328"), ("Authorization", $"AWS {AccessKey}:MyyxeRY7whkBe+bq8fHCL/2kKUg="));
        Assert.True(Verify("PUT", "/photos/puppy.jpg", null, put, "johnsmith", At(PutDate), out _).IsAuthenticated);

        var changed = Headers(("Host", "johnsmith.s3.amazonaws.com"), ("Date", PutDate), ("Content-Type", "image/png"),
            ("Authorization", $"AWS {AccessKey}:MyyxeRY7whkBe+bq8fHCL/2kKUg="));
        Assert.False(Verify("PUT", "/photos/puppy.jpg", null, changed, "johnsmith", At(PutDate), out error).IsAuthenticated);
        Assert.Equal("SignatureDoesNotMatch", error!.Code);
        Assert.Equal($"PUT\n\nimage/png\n{PutDate}\n/johnsmith/photos/puppy.jpg", error.GetDetail("StringToSign"));
        // Path style: the same resource, the bucket already in the path.
        Assert.True(Verify("GET", "/johnsmith/photos/puppy.jpg", null, get, "", At(GetDate), out _).IsAuthenticated);
    }

    [Fact]
    public void The_guides_upload_joins_repeated_amz_headers_and_signs_content_md5()
    {
        const string Date = "Tue, 27 Mar 2007 21:06:08 +0000";
        var headers = Headers(("Host", "static.johnsmith.net:8080"), ("Date", Date), ("x-amz-acl", "public-read"),
            ("content-type", "application/x-download"), ("Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="),
            ("X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"), ("X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"),
            ("X-Amz-Meta-FileChecksum", "0x02661779"), ("X-Amz-Meta-ChecksumAlgorithm", "crc32"),
            ("Content-Disposition", "attachment; filename=database.dat"), ("Content-Encoding", "gzip"), ("Content-Length", "5913339"),
            ("Authorization", $"AWS {AccessKey}:ilyl83RwaSoYIEdixDQcA4OnAnc="));
        var result = Verify("PUT", "/db-backup.dat.gz", null, headers, "static.johnsmith.net", At(Date), out var error);
        Assert.Null(error);
        Assert.True(result.IsAuthenticated);
    }

    [Fact]
    public void The_guides_query_string_get_verifies_until_it_expires()
    {
        string query = $"AWSAccessKeyId={AccessKey}&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
        var headers = Headers(("Host", "johnsmith.s3.amazonaws.com"));
        Assert.True(SigV2Verifier.Applies(headers, Encoding.ASCII.GetBytes(query)));
        var expires = DateTimeOffset.FromUnixTimeSeconds(1175139620);
        var ok = Verify("GET", "/photos/puppy.jpg", query, headers, "johnsmith", expires.AddSeconds(-1), out var error);
        Assert.Null(error);
        Assert.Equal(SigV4AuthMethod.QueryString, ok.Method);
        Assert.Equal(expires, ok.Expires);
        Assert.False(Verify("GET", "/photos/puppy.jpg", query, headers, "johnsmith", expires.AddSeconds(1), out error).IsAuthenticated);
        Assert.Equal(("AccessDenied", "Request has expired"), (error!.Code, error.Message));
        Assert.False(Verify("GET", "/photos/kitten.jpg", query, headers, "johnsmith", expires.AddSeconds(-1), out error).IsAuthenticated);
        Assert.Equal("SignatureDoesNotMatch", error!.Code);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=x", "", false)]
    [InlineData(null, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=x&AWSAccessKeyId=y", false)]
    [InlineData(null, "list-type=2", false)]
    [InlineData(null, "Signature=abc", true)]
    [InlineData("AWS a:b", "", true)]
    public void Applies_only_to_sigv2_requests(string? authorization, string query, bool applies)
    {
        var headers = authorization == null ? Headers(("Host", "h")) : Headers(("Host", "h"), ("Authorization", authorization));
        Assert.Equal(applies, SigV2Verifier.Applies(headers, Encoding.ASCII.GetBytes(query)));
    }
}
