using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Auth;
using static Sluice.S3.Tests.Auth.AuthTestHelpers;
using static Sluice.S3.Tests.Auth.S3DocExampleTests;
using Sluice.S3.Errors;

namespace Sluice.S3.Tests.Auth;

/// <summary>Rejections and tolerances of the verifier, built around the S3 docs' PUT Object example.</summary>
public sealed class SigV4VerifierTests
{
    private const string BodyHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"; // "Welcome to Amazon S3."
    private const string Path = "/test$file.text";

    private static SigV4HeaderList SignedPut(string? token = null, Action<SigV4HeaderList>? extra = null)
    {
        SigV4HeaderList headers = PutObjectHeaders(BodyHash);
        extra?.Invoke(headers);
        Signer(token).SignHeaders(headers, "PUT", Path, null, BodyHash, DocTime);
        return headers;
    }

    private static SigV4AuthResult VerifyPut(SigV4HeaderList headers, DateTimeOffset? now = null, SigV4Verifier? verifier = null,
        string path = Path, string query = "") =>
        Verify(verifier ?? Verifier(), "PUT", path, query, headers, now ?? DocTime);

    [Fact]
    public void Accepts_the_signed_request_and_returns_the_identity()
    {
        SigV4AuthResult result = VerifyPut(SignedPut());
        Assert.Equal(SigV4AuthStatus.Authenticated, result.Status);
        Assert.Equal("example-user", result.Credential!.Principal);
        Assert.Equal(SigV4AuthMethod.Header, result.Method);
        Assert.Equal(DocTime, result.RequestTime);
        Assert.Equal("20130524/us-east-1/s3/aws4_request", result.SigningKey!.Scope);
        Assert.Null(result.ErrorCode);
    }

    [Fact]
    public void Rejects_tampered_header_query_path_method_and_signature()
    {
        SigV4HeaderList headers = SignedPut();
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "x-amz-storage-class", "STANDARD")).ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "Date", "Fri, 24 May 2013 00:00:01 GMT")).ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(headers, query: "acl").ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(headers, path: "/test$file.txt").ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(headers, path: "/test$file.text/").ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, Verify(Verifier(), "POST", Path, "", headers, DocTime).ErrorCode);

        string authorization = headers.GetValueOrDefault("Authorization")!;
        char last = authorization[^1];
        string flipped = authorization[..^1] + (last == '0' ? '1' : '0');
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "Authorization", flipped)).ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "Authorization", authorization[..^2])).ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "Authorization", authorization[..^1] + "g")).ErrorCode);
    }

    [Fact]
    public void Rejects_wrong_secret_and_unknown_key()
    {
        SigV4HeaderList headers = SignedPut();
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(headers, verifier: Verifier(secret: "not-the-secret")).ErrorCode);
        var empty = new SigV4Verifier(new SigV4CredentialStore());
        SigV4AuthResult unknown = VerifyPut(headers, verifier: empty);
        Assert.Equal(S3ErrorCode.InvalidAccessKeyId, unknown.ErrorCode);
        Assert.Equal(SigV4AuthStatus.Failed, unknown.Status);
    }

    [Fact]
    public void Enforces_fifteen_minute_clock_skew()
    {
        SigV4HeaderList headers = SignedPut();
        Assert.True(VerifyPut(headers, DocTime.AddMinutes(14)).IsAuthenticated);
        Assert.True(VerifyPut(headers, DocTime.AddMinutes(-14)).IsAuthenticated);
        Assert.Equal(S3ErrorCode.RequestTimeTooSkewed, VerifyPut(headers, DocTime.AddMinutes(16)).ErrorCode);
        Assert.Equal(S3ErrorCode.RequestTimeTooSkewed, VerifyPut(headers, DocTime.AddMinutes(-16)).ErrorCode);
    }

    [Fact]
    public void Scope_must_match_date_region_and_service()
    {
        SigV4HeaderList headers = SignedPut();
        string authorization = headers.GetValueOrDefault("Authorization")!;
        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed,
            VerifyPut(With(headers, "Authorization", authorization.Replace("/20130524/", "/20130525/", StringComparison.Ordinal))).ErrorCode);
        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed,
            VerifyPut(With(headers, "Authorization", authorization.Replace("/s3/", "/iam/", StringComparison.Ordinal))).ErrorCode);
        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed,
            VerifyPut(With(headers, "Authorization", authorization.Replace("aws4_request", "aws5_request", StringComparison.Ordinal))).ErrorCode);
        SigV4AuthResult region = VerifyPut(headers, verifier: Verifier(options: new SigV4VerifierOptions { Region = "eu-west-1" }));
        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed, region.ErrorCode);
        Assert.Contains("us-east-1", region.ErrorMessage, StringComparison.Ordinal);
        // Without a configured region any region verifies (the key is derived for it).
        Assert.True(VerifyPut(headers, verifier: Verifier(options: new SigV4VerifierOptions())).IsAuthenticated);
    }

    [Fact]
    public void Unsigned_amz_headers_and_unsigned_host_are_refused()
    {
        SigV4HeaderList headers = SignedPut();
        SigV4AuthResult extra = VerifyPut(With(headers, "x-amz-meta-color", "red"));
        Assert.Equal(S3ErrorCode.AccessDenied, extra.ErrorCode);
        Assert.Equal("There were headers present in the request which were not signed", extra.ErrorMessage);
        // Non-amz headers may travel unsigned (user-agent, content-length added by a proxy, ...).
        Assert.True(VerifyPut(With(headers, "User-Agent", "test/1.0")).IsAuthenticated);
        // With the S3 rule relaxed, an unsigned x-amz-meta header is tolerated.
        Assert.True(VerifyPut(With(headers, "x-amz-meta-color", "red"),
            verifier: Verifier(options: new SigV4VerifierOptions { RequireSignedAmzHeaders = false })).IsAuthenticated);

        string authorization = headers.GetValueOrDefault("Authorization")!;
        string noHost = authorization.Replace(";host;", ";", StringComparison.Ordinal);
        Assert.Equal(S3ErrorCode.AccessDenied, VerifyPut(With(headers, "Authorization", noHost)).ErrorCode);
    }

    [Fact]
    public void Content_sha256_is_required_and_validated()
    {
        SigV4HeaderList headers = SignedPut();
        Assert.Equal(S3ErrorCode.InvalidRequest, VerifyPut(With(headers, "x-amz-content-sha256", null)).ErrorCode);
        Assert.Equal(S3ErrorCode.InvalidArgument, VerifyPut(With(headers, "x-amz-content-sha256", "abc")).ErrorCode);
        Assert.Equal(S3ErrorCode.InvalidArgument,
            VerifyPut(With(headers, "x-amz-content-sha256", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")).ErrorCode);
        // A different (valid) declared hash changes the canonical request.
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "x-amz-content-sha256", SigV4PayloadHash.EmptySha256)).ErrorCode);
    }

    [Theory]
    [InlineData(SigV4PayloadHash.UnsignedPayload, SigV4PayloadMode.UnsignedPayload)]
    [InlineData(SigV4PayloadHash.StreamingSigned, SigV4PayloadMode.StreamingSigned)]
    [InlineData(SigV4PayloadHash.StreamingSignedTrailer, SigV4PayloadMode.StreamingSignedTrailer)]
    [InlineData(SigV4PayloadHash.StreamingUnsignedTrailer, SigV4PayloadMode.StreamingUnsignedTrailer)]
    public void Reports_payload_mode(string payload, SigV4PayloadMode mode)
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost)]);
        Signer().SignHeaders(headers, "PUT", "/bucket/key", null, payload, DocTime);
        SigV4AuthResult result = Verify(Verifier(), "PUT", "/bucket/key", "", headers, DocTime);
        Assert.True(result.IsAuthenticated, result.ErrorMessage);
        Assert.Equal(mode, result.PayloadMode);
        Assert.True(result.DeclaredPayloadSha256.IsEmpty);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential={0},SignedHeaders={1},Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, SignedHeaders={1}, Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256  Credential={0} ,  SignedHeaders={1},Signature={2}  ")]
    [InlineData("AWS4-HMAC-SHA256 Signature={2}, Credential={0}, SignedHeaders={1}")]
    public void Authorization_header_spacing_and_order_are_tolerated(string format)
    {
        SigV4HeaderList headers = SignedPut();
        string authorization = headers.GetValueOrDefault("Authorization")!;
        string credential = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, credential,
            SignedHeadersOf(authorization), SignatureOf(authorization));
        Assert.True(VerifyPut(With(headers, "Authorization", value)).IsAuthenticated);
    }

    [Theory]
    [InlineData("", S3ErrorCode.InvalidRequest)]
    [InlineData("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", S3ErrorCode.InvalidRequest)]
    [InlineData("AWS4-HMAC-SHA256", S3ErrorCode.InvalidRequest)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request", S3ErrorCode.AuthorizationHeaderMalformed)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=", S3ErrorCode.AuthorizationHeaderMalformed)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", S3ErrorCode.AuthorizationHeaderMalformed)]
    [InlineData("AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", S3ErrorCode.AuthorizationHeaderMalformed)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/2013052x/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", S3ErrorCode.AuthorizationHeaderMalformed)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;x-amz-date, Signature=00", S3ErrorCode.AuthorizationHeaderMalformed)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00, Extra=1", S3ErrorCode.AuthorizationHeaderMalformed)]
    public void Malformed_authorization_headers_fail_with_a_code(string authorization, string code)
    {
        SigV4HeaderList headers = With(SignedPut(), "Authorization", authorization);
        SigV4AuthResult result = VerifyPut(headers);
        Assert.Equal(SigV4AuthStatus.Failed, result.Status);
        Assert.Equal(code, result.ErrorCode);
        Assert.False(string.IsNullOrEmpty(result.ErrorMessage));
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, Credential={0}, SignedHeaders={1}, Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDWRONG/20130524/us-east-1/s3/aws4_request, Credential={0}, SignedHeaders={1}, Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, SignedHeaders=host, SignedHeaders={1}, Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, SignedHeaders={1}, Signature=0000000000000000000000000000000000000000000000000000000000000000, Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, SignedHeaders={1}, Signature={2}, Signature={2}")]
    public void A_repeated_authorization_component_is_malformed_even_when_one_copy_is_valid(string format)
    {
        SigV4HeaderList headers = SignedPut();
        string authorization = headers.GetValueOrDefault("Authorization")!;
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, format,
            "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request", SignedHeadersOf(authorization), SignatureOf(authorization));
        SigV4AuthResult result = VerifyPut(With(headers, "Authorization", value));
        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed, result.ErrorCode);
    }

    [Fact]
    public void A_second_authorization_header_is_malformed()
    {
        SigV4HeaderList headers = SignedPut();
        string authorization = headers.GetValueOrDefault("Authorization")!;
        headers.Add("Authorization", authorization);
        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed, VerifyPut(headers).ErrorCode);
    }

    [Fact]
    public void An_uppercase_hex_signature_does_not_match()
    {
        SigV4HeaderList headers = SignedPut();
        string authorization = headers.GetValueOrDefault("Authorization")!;
        string signature = SignatureOf(authorization);
        Assert.Contains(signature, c => c is >= 'a' and <= 'f'); // else upper-casing would change nothing
        string upper = authorization.Replace(signature, signature.ToUpperInvariant(), StringComparison.Ordinal);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyPut(With(headers, "Authorization", upper)).ErrorCode);

        SigV4HeaderList presignHeaders = ToHeaderList([("Host", VirtualHost)]);
        string query = Signer().Presign(presignHeaders, "GET", "/test.txt", null, DocTime, 60);
        string querySignature = query[(query.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + 16)..];
        Assert.True(Verify(Verifier(), "GET", "/test.txt", query, presignHeaders, DocTime).IsAuthenticated);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, Verify(Verifier(), "GET", "/test.txt",
            query.Replace(querySignature, querySignature.ToUpperInvariant(), StringComparison.Ordinal), presignHeaders, DocTime).ErrorCode);
    }

    [Theory]
    [InlineData("X-Amz-Signature", "0000000000000000000000000000000000000000000000000000000000000000", false)] // the valid one first
    [InlineData("X-Amz-Signature", "0000000000000000000000000000000000000000000000000000000000000000", true)]  // the valid one last
    [InlineData("X%2DAmz-Signature", "0000000000000000000000000000000000000000000000000000000000000000", false)] // same name, escaped
    [InlineData("X-Amz-Credential", "AKIDWRONG%2F20130524%2Fus-east-1%2Fs3%2Faws4_request", false)]
    [InlineData("X-Amz-Date", "20130524T000001Z", false)]
    [InlineData("X-Amz-Expires", "604799", false)]
    [InlineData("X-Amz-SignedHeaders", "host", false)]
    [InlineData("X-Amz-Algorithm", "AWS4-HMAC-SHA256", false)]
    public void A_repeated_presigned_parameter_is_refused(string name, string value, bool prepend)
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost)]);
        string query = Signer().Presign(headers, "GET", "/test.txt", null, DocTime, 60);
        Assert.True(Verify(Verifier(), "GET", "/test.txt", query, headers, DocTime).IsAuthenticated);
        string extra = name + "=" + value;
        string doubled = prepend ? extra + "&" + query : query + "&" + extra;
        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError,
            Verify(Verifier(), "GET", "/test.txt", doubled, headers, DocTime).ErrorCode);
    }

    [Fact]
    public void Date_header_or_x_amz_date_is_required()
    {
        SigV4HeaderList headers = With(With(SignedPut(), "x-amz-date", null), "Date", null);
        SigV4AuthResult result = VerifyPut(headers);
        Assert.Equal(S3ErrorCode.AccessDenied, result.ErrorCode);
        Assert.Equal(S3ErrorCode.AccessDenied, VerifyPut(With(SignedPut(), "x-amz-date", "2013-05-24T00:00:00Z")).ErrorCode);
    }

    [Fact]
    public void Http_date_header_stands_in_for_x_amz_date()
    {
        // Signed by hand (the signer always writes x-amz-date): timestamp taken from the Date header.
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-content-sha256", SigV4PayloadHash.EmptySha256)]);
        const string Signed = "date;host;x-amz-content-sha256";
        byte[] key = SigV4SigningKey.Derive(Utf8(Secret), "20130524"u8, "us-east-1"u8, "s3"u8).Key.ToArray();
        string creq = CanonicalRequestText("GET", "/photo.jpg", "", headers, Signed, SigV4PayloadHash.EmptySha256, SigV4UriMode.S3);
        string sts = "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" + Sha256Hex(creq);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Utf8(sts)));
        headers.Add("Authorization", $"AWS4-HMAC-SHA256 Credential={AccessKey}/20130524/us-east-1/s3/aws4_request, SignedHeaders={Signed}, Signature={signature}");
        SigV4AuthResult result = Verify(Verifier(), "GET", "/photo.jpg", "", headers, DocTime);
        Assert.True(result.IsAuthenticated, result.ErrorMessage);
        Assert.Equal("20130524T000000Z", Encoding.ASCII.GetString(result.Timestamp));
    }

    [Fact]
    public void Session_token_must_be_present_signed_and_equal()
    {
        const string Token = "FwoGZXIvYXdzEXAMPLETOKEN+/=";
        SigV4HeaderList headers = SignedPut(Token);
        Assert.Equal(Token, headers.GetValueOrDefault("x-amz-security-token"));
        Assert.True(VerifyPut(headers, verifier: Verifier(token: Token)).IsAuthenticated);
        Assert.Equal(S3ErrorCode.InvalidToken, VerifyPut(headers, verifier: Verifier(token: Token + "x")).ErrorCode);
        Assert.Equal(S3ErrorCode.MissingSecurityHeader, VerifyPut(SignedPut(), verifier: Verifier(token: Token)).ErrorCode);
    }

    [Fact]
    public void Anonymous_and_conflicting_mechanisms()
    {
        SigV4HeaderList plain = ToHeaderList([("Host", VirtualHost)]);
        SigV4AuthResult anonymous = Verify(Verifier(), "GET", "/test.txt", "versionId=3", plain, DocTime);
        Assert.Equal(SigV4AuthStatus.Anonymous, anonymous.Status);
        Assert.Null(anonymous.Credential);

        SigV4HeaderList presignHeaders = ToHeaderList([("Host", VirtualHost)]);
        string query = Signer().Presign(presignHeaders, "GET", "/test.txt", null, DocTime, 60);
        SigV4AuthResult both = Verify(Verifier(), "GET", "/test.txt", query, SignedPut(), DocTime);
        Assert.Equal(S3ErrorCode.InvalidArgument, both.ErrorCode);

        Assert.Equal(S3ErrorCode.InvalidRequest,
            Verify(Verifier(), "GET", "/test.txt", "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1&Signature=x", plain, DocTime).ErrorCode);
    }

    [Fact]
    public void Presigned_url_rules()
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost)]);
        const string Token = "session/token+value==";
        string query = Signer(Token).Presign(headers, "PUT", "/bucket/my%20key.txt", "partNumber=1&uploadId=abc", DocTime, 3600);
        Assert.Contains("X-Amz-Security-Token=session%2Ftoken%2Bvalue%3D%3D", query, StringComparison.Ordinal);
        Assert.Contains("partNumber=1", query, StringComparison.Ordinal);
        SigV4Verifier verifier = Verifier(token: Token);
        Assert.True(Verify(verifier, "PUT", "/bucket/my%20key.txt", query, headers, DocTime).IsAuthenticated);
        // The same URL with parameters reordered still verifies; a changed parameter does not.
        string reordered = string.Join('&', query.Split('&').Reverse());
        Assert.True(Verify(verifier, "PUT", "/bucket/my%20key.txt", reordered, headers, DocTime).IsAuthenticated);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch,
            Verify(verifier, "PUT", "/bucket/my%20key.txt", query.Replace("partNumber=1", "partNumber=2", StringComparison.Ordinal), headers, DocTime).ErrorCode);
        // Not valid before its date (beyond the skew allowance), nor after expiry.
        Assert.Equal("Request is not valid yet", Verify(verifier, "PUT", "/bucket/my%20key.txt", query, headers, DocTime.AddMinutes(-20)).ErrorMessage);
        Assert.Equal("Request has expired", Verify(verifier, "PUT", "/bucket/my%20key.txt", query, headers, DocTime.AddSeconds(3601)).ErrorMessage);
        // Unsigned x-amz-* headers sent along with a presigned URL are refused.
        Assert.Equal(S3ErrorCode.AccessDenied,
            Verify(verifier, "PUT", "/bucket/my%20key.txt", query, With(headers, "x-amz-acl", "public-read"), DocTime).ErrorCode);

        string Drop(string name) => string.Join('&', query.Split('&').Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal)));
        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError,
            Verify(verifier, "PUT", "/bucket/my%20key.txt", Drop("X-Amz-Date"), headers, DocTime).ErrorCode);
        var negative = Verify(verifier, "PUT", "/bucket/my%20key.txt", query.Replace("X-Amz-Expires=3600", "X-Amz-Expires=-5", StringComparison.Ordinal), headers, DocTime);
        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError, negative.ErrorCode);
        Assert.Equal("X-Amz-Expires must be non-negative", negative.ErrorMessage);
        Assert.Equal("X-Amz-Expires should be a number",
            Verify(verifier, "PUT", "/bucket/my%20key.txt", query.Replace("X-Amz-Expires=3600", "X-Amz-Expires=5m", StringComparison.Ordinal), headers, DocTime).ErrorMessage);
        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError,
            Verify(verifier, "PUT", "/bucket/my%20key.txt", query.Replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", StringComparison.Ordinal), headers, DocTime).ErrorCode);

        Assert.Throws<ArgumentOutOfRangeException>(() => Signer().Presign(headers, "GET", "/b/k", null, DocTime, 604801));
        Assert.Throws<ArgumentOutOfRangeException>(() => Signer().Presign(headers, "GET", "/b/k", null, DocTime, 0));
    }

    [Theory]
    [InlineData("/bucket/a~b!c", "/bucket/a%7Eb%21c")]
    [InlineData("/bucket/my key+plus", "/bucket/my%20key%2Bplus")]
    [InlineData("/bucket/caf\u00e9/\u1234", "/bucket/caf%C3%A9/%E1%88%B4")]
    [InlineData("/bucket/a%2fb", "/bucket/a/b")]
    [InlineData("/bucket//dir/../x/./y", "/bucket//dir/../x/./y")]
    public void Clients_that_escape_differently_still_verify(string signedPath, string sentPath)
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost)]);
        Signer().SignHeaders(headers, "GET", signedPath, "prefix=a~b&marker=x%2By", SigV4PayloadHash.EmptySha256, DocTime);
        SigV4AuthResult result = Verify(Verifier(), "GET", sentPath, "marker=x%2by&prefix=a%7Eb", headers, DocTime);
        Assert.True(result.IsAuthenticated, result.ErrorMessage);
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var random = new Random(12345);
        SigV4Verifier verifier = Verifier();
        string[] prefixes = ["AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=", ""];
        for (int i = 0; i < 2000; i++)
        {
            byte[] junk = new byte[random.Next(0, 120)];
            random.NextBytes(junk);
            string text = prefixes[i % prefixes.Length] + Encoding.Latin1.GetString(junk);
            var headers = new SigV4HeaderList();
            headers.Add("Host"u8, Utf8(VirtualHost));
            headers.Add("x-amz-date"u8, i % 3 == 0 ? junk : "20130524T000000Z"u8.ToArray());
            headers.Add("x-amz-content-sha256"u8, i % 5 == 0 ? junk : Utf8(SigV4PayloadHash.EmptySha256));
            headers.Add("Authorization"u8, Encoding.Latin1.GetBytes(text));
            SigV4AuthResult header = verifier.Verify(junk, junk, junk, headers, DocTime);
            Assert.NotEqual(SigV4AuthStatus.Authenticated, header.Status);

            var queryHeaders = new SigV4HeaderList();
            queryHeaders.Add("Host"u8, junk);
            string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + Encoding.Latin1.GetString(junk)
                + "&X-Amz-Date=%&X-Amz-Expires=9&X-Amz-SignedHeaders=host&X-Amz-Signature=%zz";
            Assert.NotEqual(SigV4AuthStatus.Authenticated, verifier.Verify(junk, junk, Encoding.Latin1.GetBytes(query), queryHeaders, DocTime).Status);
        }
    }

    [Fact]
    public void Request_target_overload_splits_path_and_query()
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost), ("x-amz-content-sha256", SigV4PayloadHash.EmptySha256)]);
        Signer().SignHeaders(headers, "GET", "/bucket/key", "acl", SigV4PayloadHash.EmptySha256, DateTimeOffset.UtcNow);
        SigV4AuthResult result = Verifier().Verify("GET"u8, "/bucket/key?acl"u8, headers);
        Assert.True(result.IsAuthenticated, result.ErrorMessage);
    }
}
