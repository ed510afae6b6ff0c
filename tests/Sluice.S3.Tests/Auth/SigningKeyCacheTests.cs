using Sluice.S3.Auth;

namespace Sluice.S3.Tests.Auth;

public sealed class SigningKeyCacheTests
{
    private static readonly byte[] Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"u8.ToArray();

    [Fact]
    public void Derived_key_matches_the_published_derivation()
    {
        // Signing-key example of the SigV4 documentation ("Examples of how to derive a signing key",
        // docs.aws.amazon.com/general/latest/gr/signature-v4-examples.html): secret
        // wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
        SigV4SigningKey key = SigV4SigningKey.Derive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"u8, "20120215"u8, "us-east-1"u8, "iam"u8);
        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(key.Key));
        Assert.Equal("20120215/us-east-1/iam/aws4_request", key.Scope);
    }

    [Fact]
    public void Key_is_derived_once_and_reused()
    {
        var cache = new SigningKeyCache();
        SigV4SigningKey first = cache.GetOrCreate(Secret, "20130524"u8, "us-east-1"u8, "s3"u8);
        SigV4SigningKey second = cache.GetOrCreate(Secret.AsSpan().ToArray(), "20130524"u8, "us-east-1"u8, "s3"u8);
        Assert.Same(first, second);
        Assert.Equal(1, cache.DerivationCount);

        // A different region, service or secret is a different key.
        Assert.NotSame(first, cache.GetOrCreate(Secret, "20130524"u8, "eu-west-1"u8, "s3"u8));
        Assert.NotSame(first, cache.GetOrCreate(Secret, "20130524"u8, "us-east-1"u8, "iam"u8));
        Assert.NotSame(first, cache.GetOrCreate("other"u8, "20130524"u8, "us-east-1"u8, "s3"u8));
        Assert.Equal(4, cache.DerivationCount);
    }

    [Fact]
    public void Keeps_the_current_and_previous_date_only()
    {
        var cache = new SigningKeyCache();
        SigV4SigningKey day1 = cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8);
        SigV4SigningKey day2 = cache.GetOrCreate(Secret, "20240102"u8, "us-east-1"u8, "s3"u8);
        Assert.Same(day1, cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8));
        Assert.Same(day2, cache.GetOrCreate(Secret, "20240102"u8, "us-east-1"u8, "s3"u8));
        Assert.Equal(2, cache.DerivationCount);

        SigV4SigningKey day3 = cache.GetOrCreate(Secret, "20240103"u8, "us-east-1"u8, "s3"u8);
        Assert.Same(day3, cache.GetOrCreate(Secret, "20240103"u8, "us-east-1"u8, "s3"u8));
        Assert.Same(day2, cache.GetOrCreate(Secret, "20240102"u8, "us-east-1"u8, "s3"u8));
        Assert.Equal(3, cache.DerivationCount);

        // Day 1 fell out: asking again derives (and, being older than both kept dates, is not kept).
        SigV4SigningKey again = cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8);
        Assert.NotSame(day1, again);
        Assert.Equal(day1.Key.ToArray(), again.Key.ToArray());
        Assert.Equal(4, cache.DerivationCount);
        cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8);
        Assert.Equal(5, cache.DerivationCount);
    }

    [Fact]
    public void Entry_count_is_bounded()
    {
        var cache = new SigningKeyCache(maxEntries: 8);
        for (int i = 0; i < 100; i++)
        {
            cache.GetOrCreate(Secret, "20240101"u8, System.Text.Encoding.ASCII.GetBytes("region-" + i), "s3"u8);
        }

        // After the flood, a previously seen entry may have been dropped but the cache still works.
        SigV4SigningKey a = cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8);
        Assert.Same(a, cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8));
    }

    [Fact]
    public void Concurrent_lookups_share_one_key()
    {
        var cache = new SigningKeyCache();
        SigV4SigningKey[] seen = new SigV4SigningKey[64];
        Parallel.For(0, seen.Length, i => seen[i] = cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8));
        SigV4SigningKey settled = cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8);
        Assert.All(seen, k => Assert.Equal(settled.Key.ToArray(), k.Key.ToArray()));
        // Racing threads may each derive once, but the cache settles on a single instance.
        Assert.Same(settled, cache.GetOrCreate(Secret, "20240101"u8, "us-east-1"u8, "s3"u8));
        Assert.True(cache.DerivationCount <= seen.Length);
    }
}
