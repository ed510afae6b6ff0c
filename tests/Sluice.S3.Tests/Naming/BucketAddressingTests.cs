using System.Text;
using Sluice.S3.Naming;

namespace Sluice.S3.Tests.Naming;

/// <summary>Path-style and virtual-hosted-style addressing ("Virtual hosting of general purpose buckets", Amazon S3
/// User Guide): the client's choice and URL, and the server's reading of Host.</summary>
public sealed class BucketAddressingTests
{
    [Theory]
    [InlineData("bucket", false, false, S3Addressing.VirtualHosted)]
    [InlineData("bucket", true, false, S3Addressing.PathStyle)]
    [InlineData("dotted.bucket", false, false, S3Addressing.VirtualHosted)]
    // Over HTTPS a period would leave the wildcard certificate's single label.
    [InlineData("dotted.bucket", false, true, S3Addressing.PathStyle)]
    [InlineData("Not_Dns", false, false, S3Addressing.PathStyle)]
    [InlineData("ab", false, false, S3Addressing.PathStyle)]
    [InlineData(null, false, false, S3Addressing.PathStyle)]
    public void Chooses(string? bucket, bool forcePathStyle, bool https, S3Addressing expected) =>
        Assert.Equal(expected, BucketAddressing.Choose(bucket, forcePathStyle, https));

    [Fact]
    public void Host_label_length_follows_the_bucket_name_limits()
    {
        Assert.True(BucketAddressing.CanBeHostLabel(new string('a', 63), https: true));
        Assert.False(BucketAddressing.CanBeHostLabel(new string('a', 64), https: true));
        Assert.True(BucketAddressing.CanBeHostLabel("abc", https: true));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", true)]
    [InlineData("http://[::1]:9000", true)]
    [InlineData("http://LOCALHOST:9000", true)]
    [InlineData("https://s3.us-east-1.amazonaws.com", false)]
    public void Ip_literals_and_localhost_default_to_path_style(string endpoint, bool pathStyle) =>
        Assert.Equal(pathStyle, BucketAddressing.DefaultsToPathStyle(new Uri(endpoint)));

    [Fact]
    public void Builds_host_and_path()
    {
        Assert.Equal("s3.example:9000", BucketAddressing.Host("s3.example:9000", "b", S3Addressing.PathStyle));
        Assert.Equal("b.s3.example:9000", BucketAddressing.Host("s3.example:9000", "b", S3Addressing.VirtualHosted));
        Assert.Equal("/base/b/a%20b/c", BucketAddressing.Path("/base", "b", "a%20b/c", S3Addressing.PathStyle));
        Assert.Equal("/a%20b/c", BucketAddressing.Path("", "b", "a%20b/c", S3Addressing.VirtualHosted));
        Assert.Equal("/b/", BucketAddressing.Path("", "b", "", S3Addressing.PathStyle));
        Assert.Equal("/", BucketAddressing.Path("", null, "", S3Addressing.PathStyle));
        Assert.Equal("/base/", BucketAddressing.Path("/base", null, "", S3Addressing.PathStyle));
    }

    [Theory]
    [InlineData("b.localhost:9000", "b")]
    [InlineData("My.Bucket.S3.Localhost.", "My.Bucket")]
    [InlineData("b.localhost", "b")]
    [InlineData("localhost:9000", null)]
    [InlineData("s3.localhost", null)] // a configured domain is bare, not bucket "s3" of "localhost"
    [InlineData("127.0.0.1:9000", null)]
    [InlineData("[::1]:9000", null)]
    [InlineData("b.example.com", null)]
    [InlineData("", null)]
    public void Reads_the_bucket_from_host(string host, string? bucket)
    {
        byte[][] domains = BucketAddressing.NormalizeDomains(["localhost", " S3.Localhost. ", ""]);
        Assert.Equal(bucket is not null, BucketAddressing.TryGetHostBucket(Encoding.ASCII.GetBytes(host), domains, out ReadOnlySpan<byte> label));
        Assert.Equal(bucket ?? "", Encoding.ASCII.GetString(label));
    }
}
