using System.Text;
using Sluice.S3.Naming;

namespace Sluice.S3.Tests.Naming;

/// <summary>Examples from "General purpose bucket naming rules" (Amazon S3 User Guide,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).</summary>
public sealed class BucketNameRulesTests
{
    [Theory]
    // The guide's "Example general purpose bucket names" that follow the rules.
    [InlineData("docexamplebucket1")]
    [InlineData("log-delivery-march-2020")]
    [InlineData("my-hosted-content")]
    // The guide allows periods (not recommended) and names of 3 and 63 characters.
    [InlineData("docexamplewebsite.com")]
    [InlineData("www.docexamplewebsite.com")]
    [InlineData("my.example.s3.bucket")]
    [InlineData("abc")]
    [InlineData("123")]
    [InlineData("a-b")]
    [InlineData("foo-bar.baz-qux")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("xn-bucket")]
    [InlineData("bucket-s3alias-x")]
    public void Valid(string name) => Assert.True(BucketNameRules.IsValid(Encoding.ASCII.GetBytes(name)), name);

    [Theory]
    // The guide's examples that break the rules.
    [InlineData("doc_example_bucket")]
    [InlineData("DocExampleBucket")]
    [InlineData("doc-example-bucket-")]
    [InlineData("ab")]
    [InlineData("")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("-bucket")]
    [InlineData(".bucket")]
    [InlineData("bucket.")]
    [InlineData("my..bucket")]
    [InlineData("foo.-bar")]
    [InlineData("foo-.bar")]
    [InlineData("192.168.5.4")]
    [InlineData("xn--bucket")]
    [InlineData("sthree-bucket")]
    [InlineData("amzn-s3-demo-bucket")]
    [InlineData("bucket-s3alias")]
    [InlineData("bucket--ol-s3")]
    [InlineData("bucket.mrap")]
    [InlineData("bucket--x-s3")]
    [InlineData("bucket--table-s3")]
    [InlineData("my bucket")]
    [InlineData("bücket")]
    [InlineData("bucket/a")]
    public void Invalid(string name) => Assert.False(BucketNameRules.IsValid(Encoding.UTF8.GetBytes(name)), name);
}
