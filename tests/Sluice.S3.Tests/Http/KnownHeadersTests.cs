using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

public class KnownHeadersTests
{
    [Fact]
    public void EveryKnownHeader_RoundTripsInAnyCase()
    {
        foreach (KnownHeader id in Enum.GetValues<KnownHeader>().Where(h => h != KnownHeader.Unknown))
        {
            string name = Encoding.ASCII.GetString(KnownHeaders.GetName(id));
            Assert.False(string.IsNullOrEmpty(name));
            Assert.Equal(id, KnownHeaders.Lookup(Encoding.ASCII.GetBytes(name)));
            Assert.Equal(id, KnownHeaders.Lookup(Encoding.ASCII.GetBytes(name.ToUpperInvariant())));
            Assert.Equal(id, KnownHeaders.Lookup(Encoding.ASCII.GetBytes(name.ToLowerInvariant())));
            // One byte off (in the middle, then at the end) is not the header.
            byte[] changed = Encoding.ASCII.GetBytes(name);
            changed[changed.Length / 2] ^= 0x01;
            Assert.NotEqual(id, KnownHeaders.Lookup(changed));
            Assert.NotEqual(id, KnownHeaders.Lookup(Encoding.ASCII.GetBytes(name + "x")));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("x-amz-meta-color")]
    [InlineData("X-Custom")]
    [InlineData("Hosts")]
    [InlineData("x-amz-checksum-crc32x")]
    public void OtherNames_AreUnknown(string name) => Assert.Equal(KnownHeader.Unknown, KnownHeaders.Lookup(Encoding.ASCII.GetBytes(name)));

    [Fact]
    public void UserMetadata_AndChecksumClassification()
    {
        Assert.True(KnownHeaders.IsUserMetadata("X-Amz-Meta-Color"u8));
        Assert.False(KnownHeaders.IsUserMetadata("x-amz-meta-"u8));
        Assert.False(KnownHeaders.IsUserMetadata("x-amz-date"u8));
        Assert.True(KnownHeaders.IsChecksumValue(KnownHeader.XAmzChecksumCrc64Nvme));
        Assert.False(KnownHeaders.IsChecksumValue(KnownHeader.XAmzChecksumMode));
        Assert.True(KnownHeaders.GetName(KnownHeader.Unknown).IsEmpty);
        Assert.True(KnownHeaders.GetName((KnownHeader)250).IsEmpty);
    }
}
