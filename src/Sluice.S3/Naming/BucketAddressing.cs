using System.Buffers;
using System.Text;

namespace Sluice.S3.Naming;

/// <summary>
/// Where a request names its bucket (<see cref="S3Addressing"/>): the client's choice and the URL it builds, and the
/// server's reading of a Host that carries the bucket ("Virtual hosting of general purpose buckets", Amazon S3 User
/// Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
/// </summary>
public static class BucketAddressing
{
    private static readonly SearchValues<byte> Ipv4Chars = SearchValues.Create("0123456789."u8);

    /// <summary>
    /// How a client addresses <paramref name="bucket"/>: path-style when forced, for requests without a bucket
    /// (ListBuckets) and for a bucket that cannot lead the host name (<see cref="CanBeHostLabel"/>); virtual-hosted
    /// otherwise.
    /// </summary>
    public static S3Addressing Choose(string? bucket, bool forcePathStyle, bool https) =>
        forcePathStyle || bucket is null || !CanBeHostLabel(bucket, https) ? S3Addressing.PathStyle : S3Addressing.VirtualHosted;

    /// <summary>
    /// True when <paramref name="bucket"/> can be the first labels of a host name: DNS-compatible (3 to 63 lower-case
    /// letters, digits, hyphens and periods) and, over HTTPS, without periods, because an endpoint's wildcard
    /// certificate (*.s3.amazonaws.com) covers a single label.
    /// </summary>
    public static bool CanBeHostLabel(ReadOnlySpan<char> bucket, bool https)
    {
        if (bucket.Length is < BucketNameRules.MinLength or > BucketNameRules.MaxLength)
        {
            return false;
        }

        foreach (char c in bucket)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || (c == '.' && !https)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="endpoint"/> should be addressed path-style unless told otherwise: an IP
    /// literal or localhost has no per-bucket host names in DNS.</summary>
    public static bool DefaultsToPathStyle(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            || endpoint.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The host a request goes to: <paramref name="authority"/> (host[:port]) for path-style, else
    /// <c>bucket.authority</c>.</summary>
    public static string Host(string authority, string? bucket, S3Addressing addressing) =>
        addressing == S3Addressing.VirtualHosted ? $"{bucket}.{authority}" : authority;

    /// <summary>
    /// The request path under the endpoint's <paramref name="basePath"/> (no trailing slash):
    /// <c>/bucket/key</c> path-style, <c>/key</c> virtual-hosted, and <c>/</c> without a bucket.
    /// <paramref name="encodedKey"/> is already URI-encoded (empty for bucket requests).
    /// </summary>
    public static string Path(string basePath, string? bucket, string encodedKey, S3Addressing addressing)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        if (bucket is null)
        {
            return basePath + "/";
        }

        return addressing == S3Addressing.PathStyle ? $"{basePath}/{bucket}/{encodedKey}" : $"{basePath}/{encodedKey}";
    }

    /// <summary>The server's base domains as <see cref="TryGetHostBucket"/> takes them: trimmed, without a trailing
    /// dot, lower case, longest first, empty ones dropped.</summary>
    public static byte[][] NormalizeDomains(IEnumerable<string> domains) =>
        domains.Select(d => d.Trim().TrimEnd('.').ToLowerInvariant())
            .Where(d => d.Length > 0)
            .OrderByDescending(d => d.Length)
            .Select(Encoding.ASCII.GetBytes)
            .ToArray();

    /// <summary>True when <paramref name="host"/> (a Host value, maybe with a port) is <c>label.domain</c> for one
    /// of <paramref name="domains"/> (from <see cref="NormalizeDomains"/>); <paramref name="label"/> is then the
    /// bucket as sent. An IP literal or a bare domain never is.</summary>
    public static bool TryGetHostBucket(ReadOnlySpan<byte> host, byte[][] domains, out ReadOnlySpan<byte> label)
    {
        ArgumentNullException.ThrowIfNull(domains);
        label = default;
        host = host.Trim(" \t"u8);
        if (host.IsEmpty || host[0] == '[')
        {
            return false;
        }

        int colon = host.LastIndexOf((byte)':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        if (!host.IsEmpty && host[^1] == '.')
        {
            host = host[..^1];
        }

        if (host.IndexOfAnyExcept(Ipv4Chars) < 0)
        {
            return false;
        }

        // Longest first, so a configured "s3.localhost" is the bare domain rather than bucket "s3" of "localhost".
        foreach (byte[] domain in domains)
        {
            if (Ascii.EqualsIgnoreCase(host, domain))
            {
                return false;
            }

            int labelLength = host.Length - domain.Length - 1;
            if (labelLength > 0 && host[labelLength] == '.' && Ascii.EqualsIgnoreCase(host[(labelLength + 1)..], domain))
            {
                label = host[..labelLength];
                return true;
            }
        }

        return false;
    }
}
