namespace Sluice.S3.Naming;

/// <summary>
/// The naming rules for S3 general purpose buckets ("General purpose bucket naming rules", Amazon S3 User Guide,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
/// </summary>
public static class BucketNameRules
{
    /// <summary>Shortest legal name.</summary>
    public const int MinLength = 3;

    /// <summary>Longest legal name.</summary>
    public const int MaxLength = 63;

    // Prefixes and suffixes the guide reserves for other S3 features (access point aliases, Object Lambda,
    // S3 Express directory buckets, table buckets, metadata).
    private static ReadOnlySpan<byte> PrefixXn => "xn--"u8;

    private static ReadOnlySpan<byte> PrefixSthree => "sthree-"u8;

    private static ReadOnlySpan<byte> PrefixAmzn => "amzn-s3-demo-"u8;

    private static ReadOnlySpan<byte> SuffixAlias => "-s3alias"u8;

    private static ReadOnlySpan<byte> SuffixOlAlias => "--ol-s3"u8;

    private static ReadOnlySpan<byte> SuffixMrap => ".mrap"u8;

    private static ReadOnlySpan<byte> SuffixExpress => "--x-s3"u8;

    private static ReadOnlySpan<byte> SuffixTable => "--table-s3"u8;

    /// <summary>True when <paramref name="name"/> (ASCII bytes) is a legal general purpose bucket name.</summary>
    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.Length is < MinLength or > MaxLength || !IsLetterOrDigit(name[0]) || !IsLetterOrDigit(name[^1]))
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            byte c = name[i];
            if (c == '.')
            {
                // "Bucket names must not contain two adjacent periods", and each dot-separated label must begin and
                // end with a letter or digit (DNS-compatible names: "foo.-bar" and "foo-.bar" are InvalidBucketName).
                if (name[i - 1] is (byte)'.' or (byte)'-' || name[i + 1] == '-')
                {
                    return false;
                }
            }
            else if (c != '-' && !IsLetterOrDigit(c))
            {
                return false;
            }
        }

        return !IsIpv4Formatted(name)
            && !name.StartsWith(PrefixXn) && !name.StartsWith(PrefixSthree) && !name.StartsWith(PrefixAmzn)
            && !name.EndsWith(SuffixAlias) && !name.EndsWith(SuffixOlAlias) && !name.EndsWith(SuffixMrap)
            && !name.EndsWith(SuffixExpress) && !name.EndsWith(SuffixTable);
    }

    /// <summary>"Bucket names must not be formatted as an IP address (for example, 192.168.5.4)": four dot-separated
    /// runs of digits.</summary>
    private static bool IsIpv4Formatted(ReadOnlySpan<byte> name)
    {
        int groups = 1;
        foreach (byte c in name)
        {
            if (c == '.')
            {
                groups++;
            }
            else if ((uint)(c - '0') > 9)
            {
                return false;
            }
        }

        return groups == 4;
    }

    private static bool IsLetterOrDigit(byte c) => (uint)(c - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9;
}
