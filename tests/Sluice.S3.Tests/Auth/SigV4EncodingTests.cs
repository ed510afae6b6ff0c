using Sluice.S3.Auth;

namespace Sluice.S3.Tests.Auth;

/// <summary>
/// UriEncode and canonical URI/query rules from the SigV4 spec ("Create a canonical request",
/// docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html and the S3 sig-v4-header-based-auth page):
/// unreserved A-Z a-z 0-9 - . _ ~ kept, everything else %XX uppercase of the UTF-8 bytes, '/' kept in paths.
/// </summary>
public sealed class SigV4EncodingTests
{
    [Theory]
    [InlineData("photos/my key.jpg", true, "photos/my%20key.jpg")]
    [InlineData("photos/my key.jpg", false, "photos%2Fmy%20key.jpg")]
    [InlineData("a+b=c&d", true, "a%2Bb%3Dc%26d")]
    [InlineData("-._~AZaz09", true, "-._~AZaz09")]
    [InlineData("!*'();:@$,?#[]%", true, "%21%2A%27%28%29%3B%3A%40%24%2C%3F%23%5B%5D%25")]
    [InlineData("caf\u00e9 \u1234", true, "caf%C3%A9%20%E1%88%B4")]
    [InlineData("\ud83d\ude00", true, "%F0%9F%98%80")]
    [InlineData("", true, "")]
    public void UriEncode_follows_aws_rules(string value, bool keepSlash, string expected) =>
        Assert.Equal(expected, SigV4Encoding.UriEncode(value, keepSlash));

    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("/bucket/my key", "/bucket/my%20key")]
    [InlineData("/bucket/my%20key", "/bucket/my%20key")]
    [InlineData("/bucket/a+b", "/bucket/a%2Bb")]
    [InlineData("/bucket/a%2Bb", "/bucket/a%2Bb")]
    [InlineData("/bucket/a%7eb~c", "/bucket/a~b~c")]
    [InlineData("/bucket/a!b%21", "/bucket/a%21b%21")]
    [InlineData("/bucket//double//slash", "/bucket//double//slash")]
    [InlineData("/bucket/./dot/../dotdot/..", "/bucket/./dot/../dotdot/..")]
    [InlineData("/bucket/%E1%88%B4", "/bucket/%E1%88%B4")]
    [InlineData("/bucket/%e1%88%b4", "/bucket/%E1%88%B4")]
    [InlineData("/bucket/100%", "/bucket/100%25")]
    [InlineData("/bucket/%zz%4", "/bucket/%25zz%254")]
    [InlineData("/bucket/a%2Fb", "/bucket/a/b")]
    public void S3_paths_are_decoded_then_encoded_once_and_never_normalized(string raw, string expected) =>
        Assert.Equal(expected, SigV4Encoding.CanonicalUri(raw, SigV4UriMode.S3));

    [Theory]
    [InlineData("/a%20b", "/a%2520b")]
    [InlineData("/a b", "/a%20b")]
    [InlineData("//a//b//", "/a/b/")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/..", "/")]
    [InlineData("/../../a", "/a")]
    [InlineData("/./", "/")]
    public void Generic_paths_are_normalized_and_double_encoded(string raw, string expected) =>
        Assert.Equal(expected, SigV4Encoding.CanonicalUri(raw, SigV4UriMode.Generic));

    [Theory]
    [InlineData("", "")]
    [InlineData("acl", "acl=")]
    [InlineData("prefix=&delimiter=%2F", "delimiter=%2F&prefix=")]
    [InlineData("b=2&a=1&a=0", "a=0&a=1&b=2")]
    [InlineData("a-b=1&a=2&A=3", "A=3&a=2&a-b=1")]
    [InlineData("prefix=my+key&x=a%20b", "prefix=my%20key&x=a%20b")]
    [InlineData("prefix=a%2Bb", "prefix=a%2Bb")]
    [InlineData("k=a/b:c", "k=a%2Fb%3Ac")]
    [InlineData("k=%7e&j=~", "j=~&k=~")]
    [InlineData("a=1&&b=2&", "a=1&b=2")]
    [InlineData("a==b", "a=%3Db")]
    [InlineData("%E1%88%B4=1&z=\u00e9", "%E1%88%B4=1&z=%C3%A9")]
    [InlineData("uploads&prefix=x", "prefix=x&uploads=")]
    public void Query_is_decoded_encoded_and_sorted(string raw, string expected) =>
        Assert.Equal(expected, SigV4Encoding.CanonicalQuery(raw));

    [Fact]
    public void Large_queries_sort_ordinally()
    {
        var random = new Random(7);
        var pairs = Enumerable.Range(0, 300)
            .Select(_ => ("k" + random.Next(0, 40).ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
                "v" + random.Next(0, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        string raw = string.Join('&', pairs.Select(p => p.Item1 + "=" + p.Item2));
        string expected = string.Join('&', pairs
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)
            .Select(p => p.Item1 + "=" + p.Item2));
        Assert.Equal(expected, SigV4Encoding.CanonicalQuery(raw));
    }

    [Fact]
    public void Long_paths_spill_to_pooled_buffers()
    {
        string key = string.Concat(Enumerable.Repeat("dir/\u00e9 ", 400));
        string expected = string.Concat(Enumerable.Repeat("dir/%C3%A9%20", 400));
        Assert.Equal("/" + expected, SigV4Encoding.CanonicalUri("/" + key, SigV4UriMode.S3));
        Assert.Equal("/" + expected, SigV4Encoding.CanonicalUri("/" + SigV4Encoding.UriEncode(key, keepSlash: true), SigV4UriMode.S3));
    }
}
