namespace Sluice.S3.Http;

/// <summary>Limits for chunked body decoding; zero (default) fields mean the defaults.</summary>
public readonly record struct ChunkedLimits
{
    /// <summary>4 KiB: a signed aws-chunked size line is ~100 bytes and a trailer ~100 bytes; anything near
    /// 4 KiB is abuse. Callers must be able to buffer one such line.</summary>
    public const int DefaultMaxLineLength = 4 * 1024;

    /// <summary>16: S3 sends one checksum plus the trailer signature.</summary>
    public const int DefaultMaxTrailerCount = 16;

    /// <summary>8 KiB of trailer lines in total.</summary>
    public const int DefaultMaxTrailerBytes = 8 * 1024;

    private readonly int _maxLineLength;
    private readonly int _maxTrailerCount;
    private readonly int _maxTrailerBytes;
    private readonly long _maxChunkSize;

    /// <summary>Longest chunk-size or trailer line, excluding CRLF.</summary>
    public int MaxLineLength { get => _maxLineLength > 0 ? _maxLineLength : DefaultMaxLineLength; init => _maxLineLength = value; }

    /// <summary>Most trailer fields.</summary>
    public int MaxTrailerCount { get => _maxTrailerCount > 0 ? _maxTrailerCount : DefaultMaxTrailerCount; init => _maxTrailerCount = value; }

    /// <summary>Most bytes of trailer lines, CRLFs included.</summary>
    public int MaxTrailerBytes { get => _maxTrailerBytes > 0 ? _maxTrailerBytes : DefaultMaxTrailerBytes; init => _maxTrailerBytes = value; }

    /// <summary>Largest declared chunk (default: no limit beyond 63 bits; callers bound the total separately).</summary>
    public long MaxChunkSize { get => _maxChunkSize > 0 ? _maxChunkSize : long.MaxValue; init => _maxChunkSize = value; }
}
