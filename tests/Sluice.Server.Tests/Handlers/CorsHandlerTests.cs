using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Bucket CORS over HTTP, every front × both stores: the configuration's life (Put with a digest, Get, Delete, S3's
/// refusals with nothing changed), the unsigned OPTIONS preflight answered from the rules as S3 answers it (origin
/// wildcards, methods, requested headers, the 400s and 403s), the Access-Control-* headers on actual requests — error
/// answers included — and none once the rules are gone; on disk, rules that survive a restart.
/// </summary>
public class CorsHandlerTests
{
    private const string Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

    internal static byte[] Cors(params string[] rules) =>
        Encoding.UTF8.GetBytes("<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + string.Concat(rules) + "</CORSConfiguration>");

    internal static string Rule(string[] methods, string[] origins, string[]? allowedHeaders = null, string[]? expose = null,
        int? maxAge = null, string? id = null)
    {
        var sb = new StringBuilder("<CORSRule>");
        if (id != null) sb.Append("<ID>").Append(id).Append("</ID>");
        foreach (var h in allowedHeaders ?? []) sb.Append("<AllowedHeader>").Append(h).Append("</AllowedHeader>");
        foreach (var m in methods) sb.Append("<AllowedMethod>").Append(m).Append("</AllowedMethod>");
        foreach (var o in origins) sb.Append("<AllowedOrigin>").Append(o).Append("</AllowedOrigin>");
        foreach (var e in expose ?? []) sb.Append("<ExposeHeader>").Append(e).Append("</ExposeHeader>");
        if (maxAge != null) sb.Append("<MaxAgeSeconds>").Append(maxAge).Append("</MaxAgeSeconds>");
        return sb.Append("</CORSRule>").ToString();
    }

    internal static Task<S3Response> PutCorsAsync(S3TestClient c, string bucket, byte[] document) =>
        c.SendAsync("PUT", "/" + bucket, "cors", document, headers: [("Content-MD5", S3TestClient.Md5Base64(document))]);

    private static Task<S3Response> PreflightAsync(S3TestClient c, string path, string? origin, string? method, string? headers = null)
    {
        var list = new List<(string, string)>();
        if (origin != null) list.Add(("Origin", origin));
        if (method != null) list.Add(("Access-Control-Request-Method", method));
        if (headers != null) list.Add(("Access-Control-Request-Headers", headers));
        return c.SendAsync("OPTIONS", path, headers: list, sign: false);
    }

    private static string? Detail(S3Response r, string element) =>
        Regex.Match(r.Text, $"<{element}>([^<]*)</{element}>") is { Success: true } m ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private static void NoCorsHeaders(S3Response r) =>
        Assert.DoesNotContain(r.Headers.Keys, k => k.StartsWith("access-control-", StringComparison.Ordinal) || k == "vary");

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task The_configuration_is_put_read_and_deleted_and_bad_ones_change_nothing(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/corsb")).Status);

        var none = await c.SendAsync("GET", "/corsb", "cors");
        Assert.Equal(404, none.Status);
        Assert.Equal("NoSuchCORSConfiguration", none.ErrorCode);
        Assert.Equal("corsb", Detail(none, "BucketName"));

        var doc = Cors(Rule(["GET", "PUT"], ["*.get", "*.put"], ["x-amz-*"], ["ETag", "x-amz-request-id"], 3000, "first"),
            Rule(["DELETE"], ["http://www.example.com"]));
        // S3 requires an integrity header on this operation.
        var bare = await c.SendAsync("PUT", "/corsb", "cors", doc);
        Assert.Equal(400, bare.Status);
        Assert.Equal("InvalidRequest", bare.ErrorCode);
        Assert.Equal(404, (await c.SendAsync("GET", "/corsb", "cors")).Status);
        var wrongMd5 = await c.SendAsync("PUT", "/corsb", "cors", doc, headers: [("Content-MD5", S3TestClient.Md5Base64([1]))]);
        Assert.Equal("BadDigest", wrongMd5.ErrorCode);

        Assert.Equal(200, (await PutCorsAsync(c, "corsb", doc)).Status);
        var got = await c.SendAsync("GET", "/corsb", "cors");
        Assert.Equal(200, got.Status);
        Assert.Contains("<CORSRule><ID>first</ID><AllowedHeader>x-amz-*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>"
            + "<AllowedOrigin>*.get</AllowedOrigin><AllowedOrigin>*.put</AllowedOrigin><ExposeHeader>ETag</ExposeHeader>"
            + "<ExposeHeader>x-amz-request-id</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>", got.Text, StringComparison.Ordinal);
        Assert.Contains("<CORSRule><AllowedMethod>DELETE</AllowedMethod><AllowedOrigin>http://www.example.com</AllowedOrigin></CORSRule>", got.Text, StringComparison.Ordinal);

        async Task Refused(byte[] bad, string code, string? message = null)
        {
            var r = await PutCorsAsync(c, "corsb", bad);
            Assert.True(r.Status == 400 && r.ErrorCode == code, $"{Encoding.UTF8.GetString(bad)}: {r.Status} {r.Text}");
            if (message != null) Assert.Equal(message, Detail(r, "Message"));
            Assert.Equal(got.Text, (await c.SendAsync("GET", "/corsb", "cors")).Text);
        }
        await Refused(Cors(Rule(["GET", "PUT", "HEAD", "MYMETHOD"], ["*"])), "InvalidRequest",
            "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD");
        await Refused(Cors(Rule(["OPTIONS"], ["*"])), "InvalidRequest");
        await Refused(Cors(Rule(["get"], ["*"])), "InvalidRequest");
        await Refused(Cors(Rule(["GET"], ["*example*.com"])), "InvalidRequest", "AllowedOrigin \"*example*.com\" can not have more than one wildcard.");
        await Refused(Cors(Rule(["GET"], ["*"], ["x-*-*"])), "InvalidRequest");
        await Refused(Cors(), "MalformedXML");
        await Refused(Cors("<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"), "MalformedXML");
        await Refused(Cors("<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>"), "MalformedXML");
        await Refused(Cors(Enumerable.Range(0, 101).Select(_ => Rule(["GET"], ["*"])).ToArray()), "MalformedXML");
        await Refused(Cors("<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><Other/></CORSRule>"), "MalformedXML");
        await Refused("<CORSConfiguration><CORSRule>"u8.ToArray(), "MalformedXML");
        await Refused(Cors(Rule(["GET"], ["*"], id: new string('i', 256))), "InvalidArgument");
        // S3 caps the document at 64 KB: 100 rules are allowed, but not when they add up to more.
        await Refused(Cors(Enumerable.Range(0, 100).Select(_ => Rule(["GET"], ["https://" + new string('o', 700) + ".example"])).ToArray()),
            "MalformedXML", "The CORS configuration must not exceed 65536 bytes.");

        // At the limits: 100 rules, an empty origin (S3 keeps it).
        Assert.Equal(200, (await PutCorsAsync(c, "corsb", Cors(Enumerable.Range(0, 100).Select(_ => Rule(["GET"], [""])).ToArray()))).Status);

        Assert.Equal(204, (await c.SendAsync("DELETE", "/corsb", "cors")).Status);
        Assert.Equal("NoSuchCORSConfiguration", (await c.SendAsync("GET", "/corsb", "cors")).ErrorCode);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/corsb", "cors")).Status); // none to delete: still 204
        foreach (var (method, body) in new[] { ("GET", (byte[]?)null), ("DELETE", null) })
            Assert.Equal("NoSuchBucket", (await c.SendAsync(method, "/nocorsbucket", "cors", body)).ErrorCode);
        Assert.Equal("NoSuchBucket", (await PutCorsAsync(c, "nocorsbucket", doc)).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Preflights_are_answered_from_the_rules_without_authentication(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/pre")).Status);

        // Before any rule: 400 without Origin, 403 "not enabled" with one (Method is the requested one, or OPTIONS).
        var noOrigin = await PreflightAsync(c, "/pre/k", null, "GET");
        Assert.Equal(400, noOrigin.Status);
        Assert.Equal("BadRequest", noOrigin.ErrorCode);
        Assert.Equal("Insufficient information. Origin request header needed.", Detail(noOrigin, "Message"));
        var disabled = await PreflightAsync(c, "/pre/k", "http://a.example", "PUT");
        Assert.Equal(403, disabled.Status);
        Assert.Equal("AccessForbidden", disabled.ErrorCode);
        Assert.Equal("CORSResponse: CORS is not enabled for this bucket.", Detail(disabled, "Message"));
        Assert.Equal("PUT", Detail(disabled, "Method"));
        Assert.Equal("BUCKET", Detail(disabled, "ResourceType"));
        Assert.Equal("OPTIONS", Detail(await PreflightAsync(c, "/pre/k", "http://a.example", null), "Method"));
        var missing = await PreflightAsync(c, "/nosuchbucket/k", "http://a.example", "GET");
        Assert.Equal(403, missing.Status);
        Assert.Equal("CORSResponse: Bucket not found", Detail(missing, "Message"));

        Assert.Equal(200, (await PutCorsAsync(c, "pre", Cors(
            Rule(["GET"], ["*suffix"]),
            Rule(["GET"], ["start*end"]),
            Rule(["GET"], ["prefix*"]),
            Rule(["PUT", "DELETE"], ["*.put"], ["x-amz-meta-*", "Content-Type"], ["ETag", "x-amz-version-id"], 600),
            Rule(["HEAD"], ["*"])))).Status);

        async Task Allowed(string path, string origin, string method, string methods, string? headers = null, string? allowHeaders = null)
        {
            var r = await PreflightAsync(c, path, origin, method, headers);
            Assert.True(r.Status == 200, $"{origin} {method} {headers}: {r.Status} {r.Text}");
            Assert.Empty(r.Body);
            Assert.Equal(origin, r.Header("Access-Control-Allow-Origin"));
            Assert.Equal("true", r.Header("Access-Control-Allow-Credentials"));
            Assert.Equal(methods, r.Header("Access-Control-Allow-Methods"));
            Assert.Equal(allowHeaders, r.Header("Access-Control-Allow-Headers"));
            Assert.Equal(Vary.Replace(" ", ""), r.Header("Vary")!.Replace(" ", ""));
        }
        async Task Refused(string path, string origin, string method, string? headers = null)
        {
            var r = await PreflightAsync(c, path, origin, method, headers);
            Assert.True(r.Status == 403, $"{origin} {method} {headers}: {r.Status} {r.Text}");
            Assert.Equal("AccessForbidden", r.ErrorCode);
            Assert.StartsWith("CORSResponse: This CORS request is not allowed.", Detail(r, "Message"), StringComparison.Ordinal);
            Assert.Equal(method, Detail(r, "Method"));
            Assert.Equal(path.Count(ch => ch == '/') > 1 ? "OBJECT" : "BUCKET", Detail(r, "ResourceType"));
            NoCorsHeaders(r);
        }

        // A '*' stands for any run of characters, none included; patterns are anchored at both ends.
        foreach (string origin in new[] { "foo.suffix", "startend", "start1end", "start12end", "prefix", "prefix.suffix" })
            await Allowed("/pre", origin, "GET", "GET");
        foreach (string origin in new[] { "foo.bar", "foo.suffix.get", "0start12end", "bla.prefix", "PREFIX" })
            await Refused("/pre", origin, "GET");
        await Refused("/pre/k", "foo.put", "GET");
        await Allowed("/pre/any/key?uploads", "foo.put", "PUT", "PUT, DELETE");

        // Requested headers: each must match an AllowedHeader, without regard to case; answered lowercase, in order.
        await Allowed("/pre/k", "a.put", "PUT", "PUT, DELETE", "X-Amz-Meta-Color,content-type", "x-amz-meta-color, content-type");
        await Allowed("/pre/k", "a.put", "DELETE", "PUT, DELETE", " x-amz-meta-a , , x-amz-meta-b", "x-amz-meta-a, x-amz-meta-b");
        await Refused("/pre/k", "a.put", "PUT", "x-amz-meta-a, authorization");
        await Refused("/pre/k", "foo.suffix", "GET", "x-amz-meta-a"); // a rule without AllowedHeader allows none

        var full = await PreflightAsync(c, "/pre/k", "a.put", "PUT");
        Assert.Equal("600", full.Header("Access-Control-Max-Age"));
        Assert.Equal("ETag, x-amz-version-id", full.Header("Access-Control-Expose-Headers"));
        Assert.Null(full.Header("Access-Control-Allow-Headers"));

        // A rule allowing any origin answers '*' and no Allow-Credentials.
        var any = await PreflightAsync(c, "/pre/k", "http://elsewhere:8080", "HEAD");
        Assert.Equal(200, any.Status);
        Assert.Equal("*", any.Header("Access-Control-Allow-Origin"));
        Assert.Null(any.Header("Access-Control-Allow-Credentials"));
        Assert.Equal("HEAD", any.Header("Access-Control-Allow-Methods"));

        // With rules, an Origin without Access-Control-Request-Method is a bad preflight.
        var noMethod = await PreflightAsync(c, "/pre/k", "foo.suffix", null);
        Assert.Equal(400, noMethod.Status);
        Assert.Equal("BadRequest", noMethod.ErrorCode);
        await Refused("/pre/k", "foo.suffix", "PATCH");

        // A presigned URL's query does not change the answer, nor does a signature on the preflight.
        await Allowed("/pre/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", "prefix-x", "GET", "GET");
        var signed = await c.SendAsync("OPTIONS", "/pre/k", headers: [("Origin", "prefix1"), ("Access-Control-Request-Method", "GET")]);
        Assert.Equal(200, signed.Status);
        var badSignature = await c.SendAsync("OPTIONS", "/pre/k", headers: [("Origin", "prefix1"), ("Access-Control-Request-Method", "GET")], secret: "wrong");
        Assert.Equal(200, badSignature.Status);

        // Rules removed: the preflight is refused again (the cached rules went with them).
        Assert.Equal(204, (await c.SendAsync("DELETE", "/pre", "cors")).Status);
        Assert.Equal("CORSResponse: CORS is not enabled for this bucket.", Detail(await PreflightAsync(c, "/pre/k", "prefix", "GET"), "Message"));
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Actual_requests_a_rule_matches_carry_the_headers_on_every_answer(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/act")).Status);
        Assert.Equal(200, (await c.PutObjectAsync("act", "k", [1, 2, 3])).Status);

        // No rules: Origin changes nothing.
        var plain = await c.GetObjectAsync("act", "k", ("Origin", "http://app.example"));
        Assert.Equal(200, plain.Status);
        NoCorsHeaders(plain);

        Assert.Equal(200, (await PutCorsAsync(c, "act", Cors(
            Rule(["PUT", "DELETE"], ["http://app.example"], expose: ["ETag"]),
            Rule(["GET", "HEAD"], ["*"], maxAge: 60)))).Status);

        var get = await c.GetObjectAsync("act", "k", ("Origin", "http://app.example"));
        Assert.Equal(200, get.Status);
        Assert.Equal([1, 2, 3], get.Body);
        Assert.Equal("*", get.Header("Access-Control-Allow-Origin"));
        Assert.Equal("GET, HEAD", get.Header("Access-Control-Allow-Methods"));
        Assert.Equal("60", get.Header("Access-Control-Max-Age"));
        Assert.Equal(Vary.Replace(" ", ""), get.Header("Vary")!.Replace(" ", ""));

        var put = await c.PutObjectAsync("act", "k2", [4], ("Origin", "http://app.example"));
        Assert.Equal(200, put.Status);
        Assert.Equal("http://app.example", put.Header("Access-Control-Allow-Origin"));
        Assert.Equal("true", put.Header("Access-Control-Allow-Credentials"));
        Assert.Equal("PUT, DELETE", put.Header("Access-Control-Allow-Methods"));
        Assert.Equal("ETag", put.Header("Access-Control-Expose-Headers"));

        // Error answers carry them too: a missing key, a bad signature.
        var missing = await c.GetObjectAsync("act", "absent", ("Origin", "http://other.example"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("*", missing.Header("Access-Control-Allow-Origin"));
        var forged = await c.SendAsync("PUT", "/act/k3", body: [5], headers: [("Origin", "http://app.example")], secret: "wrong");
        Assert.Equal(403, forged.Status);
        Assert.Equal("http://app.example", forged.Header("Access-Control-Allow-Origin"));

        // No rule for the method or origin: served as without Origin. Access-Control-Request-Method, when sent,
        // decides the method; requested headers are checked as for a preflight.
        var notAllowed = await c.PutObjectAsync("act", "k4", [6], ("Origin", "http://other.example"));
        Assert.Equal(200, notAllowed.Status);
        NoCorsHeaders(notAllowed);
        var asPut = await c.GetObjectAsync("act", "k", ("Origin", "http://other.example"), ("Access-Control-Request-Method", "PUT"));
        Assert.Equal(200, asPut.Status);
        NoCorsHeaders(asPut);
        var withHeaders = await c.GetObjectAsync("act", "k", ("Origin", "http://other.example"), ("Access-Control-Request-Headers", "x-amz-request-payer"));
        NoCorsHeaders(withHeaders);
        NoCorsHeaders(await c.GetObjectAsync("act", "k"));

        // A bucket without rules beside it, and the bucket's rules gone: nothing.
        Assert.Equal(200, (await c.SendAsync("PUT", "/other")).Status);
        NoCorsHeaders(await c.SendAsync("GET", "/other", headers: [("Origin", "http://app.example")]));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/act", "cors")).Status);
        NoCorsHeaders(await c.GetObjectAsync("act", "k", ("Origin", "http://app.example")));

        // A bucket deleted and created again starts without the old rules.
        Assert.Equal(200, (await PutCorsAsync(c, "other", Cors(Rule(["GET"], ["*"])))).Status);
        Assert.Equal("*", (await c.SendAsync("GET", "/other", headers: [("Origin", "x")])).Header("Access-Control-Allow-Origin"));
        Assert.Equal(204, (await c.SendAsync("DELETE", "/other")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/other")).Status);
        NoCorsHeaders(await c.SendAsync("GET", "/other", headers: [("Origin", "x")]));
        Assert.Equal("NoSuchCORSConfiguration", (await c.SendAsync("GET", "/other", "cors")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Rules_survive_a_restart(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/durable")).Status);
        Assert.Equal(200, (await PutCorsAsync(t.Client, "durable", Cors(Rule(["GET"], ["https://site.example"])))).Status);
        await t.RestartAsync();
        var r = await PreflightAsync(t.Client, "/durable/k", "https://site.example", "GET");
        Assert.Equal(200, r.Status);
        Assert.Equal("https://site.example", r.Header("Access-Control-Allow-Origin"));
        Assert.Contains("<AllowedOrigin>https://site.example</AllowedOrigin>", (await t.Client.SendAsync("GET", "/durable", "cors")).Text, StringComparison.Ordinal);
    }
}
