using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Naming;

namespace Sluice.S3.Tests.Naming;

/// <summary>"Naming Amazon S3 objects" (Amazon S3 User Guide): keys are UTF-8 of at most 1,024 bytes.</summary>
public sealed class ObjectKeyRulesTests
{
    [Theory]
    // The guide's examples of key names.
    [InlineData("4my-organization")]
    [InlineData("my.great_photos-2014/jan/myvacation.jpg")]
    [InlineData("videos/2014/birthday/video1.wmv")]
    [InlineData("../..//x")]
    [InlineData("a b+c?d#e")]
    [InlineData("日本語/ключ/😀")]
    public void Valid_keys(string key) => Assert.True(ObjectKeyRules.Validate(Encoding.UTF8.GetBytes(key)).IsNone);

    [Fact]
    public void Length_limit_is_in_bytes()
    {
        Assert.True(ObjectKeyRules.Validate(Encoding.ASCII.GetBytes(new string('a', 1024))).IsNone);
        // 342 three-byte characters = 1026 bytes although only 342 chars.
        S3Problem p = ObjectKeyRules.Validate(Encoding.UTF8.GetBytes(new string('€', 342)));
        Assert.Equal(S3ErrorCode.KeyTooLongError, p.Code);
        Assert.Equal(400, p.HttpStatus);
        Assert.Equal("1026", p.GetDetail("Size"));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { (byte)'a', 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a UTF-16 surrogate encoded in UTF-8 (RFC 3629 §3 forbids it)
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong '/'
    public void Invalid_utf8_is_refused(byte[] key) => Assert.Equal(S3ErrorCode.InvalidURI, ObjectKeyRules.Validate(key).Code);
}
