using Sluice.S3.Xml;

namespace Sluice.S3.Tests.Xml;

public class S3UrlEncodingTests
{
    [Theory]
    // Measured against real S3 (github.com/brekkylab/backlot/issues/178):
    [InlineData("a b.txt", "a+b.txt")]
    [InlineData("a+b.txt", "a%2Bb.txt")]
    [InlineData("100%.csv", "100%25.csv")]
    [InlineData("한글/x.txt", "%ED%95%9C%EA%B8%80/x.txt")]
    [InlineData("run books/", "run+books/")]
    // s3-tests test_bucket_listv2_encoding_basic keys (ceph/s3-tests): '+' → %2B, '/' literal.
    [InlineData("foo+1/", "foo%2B1/")]
    [InlineData("asdf+b", "asdf%2Bb")]
    // Unreserved in S3's (URLEncoder) set: letters, digits, - _ . * and '/'; '~' and parentheses are encoded.
    [InlineData("AZaz09-_.*/", "AZaz09-_.*/")]
    [InlineData("~()!'", "%7E%28%29%21%27")]
    [InlineData("a\u0001\r\nb", "a%01%0D%0Ab")]
    [InlineData("&<>\"", "%26%3C%3E%22")]
    [InlineData("😀", "%F0%9F%98%80")]
    [InlineData("", "")]
    public void Encodes_like_s3(string key, string encoded) => Assert.Equal(encoded, S3UrlEncoding.Encode(key));

    [Theory]
    [InlineData("a+b.txt", "a b.txt")]
    // botocore decodes with unquote_plus, so %20 (s3-tests' expectation) decodes too.
    [InlineData("quux%20ab/", "quux ab/")]
    [InlineData("a%2Bb", "a+b")]
    [InlineData("%ed%95%9c", "한")]
    // Python's unquote leaves a '%' not followed by two hex digits as it is.
    [InlineData("100%", "100%")]
    [InlineData("%zz%4", "%zz%4")]
    [InlineData("plain", "plain")]
    public void Decodes_like_botocore_unquote_str(string encoded, string key)
    {
        Assert.True(S3UrlEncoding.TryDecode(encoded, out string decoded));
        Assert.Equal(key, decoded);
    }

    [Theory]
    [InlineData("%FF")]
    [InlineData("%C3")]
    [InlineData("%ED%A0%80")] // an encoded surrogate is not UTF-8
    public void Refuses_bytes_that_are_not_utf8(string encoded) => Assert.False(S3UrlEncoding.TryDecode(encoded, out _));

    [Fact]
    public void Every_character_round_trips()
    {
        var chars = new System.Text.StringBuilder();
        for (int c = 0; c < 0xD800; c++)
        {
            chars.Append((char)c);
        }

        chars.Append("😀\U0010FFFF");
        string key = chars.ToString();
        string encoded = S3UrlEncoding.Encode(key);
        Assert.DoesNotContain(' ', encoded);
        Assert.True(S3UrlEncoding.TryDecode(encoded, out string decoded));
        Assert.Equal(key, decoded);
    }
}
