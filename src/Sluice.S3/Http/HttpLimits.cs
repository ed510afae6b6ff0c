namespace Sluice.S3.Http;

/// <summary>Size limits for a message head. A zero (or default) field means "use the default",
/// so <c>default(HttpLimits)</c> is the sensible configuration.</summary>
public readonly record struct HttpLimits
{
    /// <summary>16 KiB: S3 itself caps request headers at 8 KB; the rest leaves room for a request line with a
    /// percent-encoded 1024-byte key plus a presigned query (which carries an STS session token).</summary>
    public const int DefaultMaxHeadBytes = 16 * 1024;

    /// <summary>8 KiB: a 1024-byte key percent-encoded triples to about 3 KiB; presigned query strings with a
    /// session token add 1-3 KiB. Same as Kestrel's default request line limit.</summary>
    public const int DefaultMaxRequestLineLength = 8 * 1024;

    /// <summary>8 KiB: the largest single S3 header in practice is x-amz-security-token (~1-2 KiB) or a
    /// percent-encoded x-amz-copy-source (~3 KiB).</summary>
    public const int DefaultMaxHeaderLineLength = 8 * 1024;

    /// <summary>100: S3 requests carry 10-30 fields; user metadata is capped at 2 KB by S3 anyway.</summary>
    public const int DefaultMaxHeaderCount = 100;

    private readonly int _maxHeadBytes;
    private readonly int _maxRequestLineLength;
    private readonly int _maxHeaderLineLength;
    private readonly int _maxHeaderCount;

    /// <summary>Limit on the whole head, including the terminating blank line.</summary>
    public int MaxHeadBytes { get => Or(_maxHeadBytes, DefaultMaxHeadBytes); init => _maxHeadBytes = value; }

    /// <summary>Limit on the request line, excluding its CRLF.</summary>
    public int MaxRequestLineLength { get => Or(_maxRequestLineLength, DefaultMaxRequestLineLength); init => _maxRequestLineLength = value; }

    /// <summary>Limit on each header line and on a status line, excluding the CRLF.</summary>
    public int MaxHeaderLineLength { get => Or(_maxHeaderLineLength, DefaultMaxHeaderLineLength); init => _maxHeaderLineLength = value; }

    /// <summary>Limit on the number of header fields.</summary>
    public int MaxHeaderCount { get => Or(_maxHeaderCount, DefaultMaxHeaderCount); init => _maxHeaderCount = value; }

    /// <summary>The defaults.</summary>
    public static HttpLimits Default => default;

    private static int Or(int value, int fallback) => value > 0 ? value : fallback;
}
