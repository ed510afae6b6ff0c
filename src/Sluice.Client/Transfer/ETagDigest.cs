using System.Globalization;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// Recomputes an S3 ETag from an object's bytes fed in object order: the MD5 of a single-part object, or for a
/// multipart object the MD5 of its parts' MD5s followed by "-N", given the uploader's part size (every part that size
/// but the last) or, for parts of uneven sizes, each part's exact size. What a download checks when the server stored no CRC. Parts that finish out of order wait for their
/// turn (<see cref="AppendInOrderAsync"/>), as the in-order stream sink does, so the bytes are hashed once, on the fly.
/// </summary>
internal sealed class ETagDigest : IDisposable
{
    private const int Md5Size = Md5Digest.HashSizeInBytes;

    private readonly Md5Digest _md5 = new();
    private readonly long _partSize;
    private readonly long[]? _partSizes;
    private readonly byte[]? _partMd5s;
    private readonly PartTurns _turns = new();
    private long _inPart;
    private int _parts;

    private ETagDigest(long partSize, int partCount, long[]? partSizes = null)
    {
        _partSize = partSize;
        _partSizes = partSizes;
        PartCount = partCount;
        _partMd5s = partCount > 0 ? new byte[partCount * Md5Size] : null;
    }

    /// <summary>The uploader's part count, or 0 for a single-part object.</summary>
    public int PartCount { get; }

    public static ETagDigest ForSinglePart() => new(long.MaxValue, 0);

    public static ETagDigest ForMultipart(long uploaderPartSize, int partCount) => new(uploaderPartSize, partCount);

    /// <summary>For a multipart object whose parts' exact sizes are known (in part order; they sum to the object's size).</summary>
    public static ETagDigest ForParts(long[] partSizes) => new(0, partSizes.Length, partSizes);

    /// <summary>The size of the part being hashed: the uploader's, or the exact one (bytes beyond the last part end nothing).</summary>
    private long CurrentPartSize => _partSizes is null ? _partSize : _parts < _partSizes.Length ? _partSizes[_parts] : long.MaxValue;

    /// <summary>The ETag without quotes, lower case.</summary>
    public static string Normalize(string etag) => etag.Trim().Trim('"').ToLowerInvariant();

    /// <summary>True for a single-part ETag: 32 hex digits (the MD5 of the bytes, unless the object is SSE-KMS/SSE-C).</summary>
    public static bool IsMd5(ReadOnlySpan<char> etag) => etag.Length == 2 * Md5Size && !etag.ContainsAnyExcept(HexDigits);

    /// <summary>True for a multipart ETag: 32 hex digits, '-', the part count (1..10,000).</summary>
    public static bool TryParseMultipart(string etag, out int partCount)
    {
        partCount = 0;
        int dash = etag.IndexOf('-', StringComparison.Ordinal);
        return dash == 2 * Md5Size && IsMd5(etag.AsSpan(0, dash))
            && int.TryParse(etag.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out partCount)
            && partCount is >= 1 and <= 10_000;
    }

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Hashes the next bytes of the object (any length, across the uploader's part boundaries).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            long partSize = CurrentPartSize;
            int take = (int)Math.Min(data.Length, partSize - _inPart);
            _md5.Append(data[..take]);
            _inPart += take;
            data = data[take..];
            if (_inPart == partSize) EndPart();
        }
    }

    /// <summary>
    /// Hashes download part <paramref name="index"/> once every part before it has been hashed (waiting for its turn).
    /// The scheduler reserves parts in order, so the part waited for is always in flight.
    /// </summary>
    public async ValueTask AppendInOrderAsync(int index, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _turns.WaitAsync(index, cancellationToken).ConfigureAwait(false);
        Append(data.Span);
        _turns.Done(index);
    }

    private void EndPart()
    {
        Span<byte> scratch = stackalloc byte[Md5Size];
        // More parts than the ETag names cannot match; Finish reports the count.
        _md5.GetHashAndReset(_parts < PartCount ? _partMd5s.AsSpan(_parts * Md5Size, Md5Size) : scratch);
        _parts++;
        _inPart = 0;
    }

    /// <summary>The ETag of the bytes fed (lower case, no quotes).</summary>
    public string Finish()
    {
        Span<byte> hash = stackalloc byte[Md5Size];
        if (_partMd5s is null)
        {
            _md5.GetHashAndReset(hash);
            return Convert.ToHexStringLower(hash);
        }
        if (_inPart > 0) EndPart();
        // Exact sizes may end with an empty part, which no byte ever ended.
        while (_partSizes != null && _parts < PartCount && _partSizes[_parts] == 0) EndPart();
        if (_parts != PartCount)
            return _partSizes is null ? $"({_parts} parts of {_partSize} bytes, not {PartCount})" : $"({_parts} of {PartCount} parts)";
        Md5Digest.HashData(_partMd5s, hash);
        return Convert.ToHexStringLower(hash) + "-" + PartCount.ToString(CultureInfo.InvariantCulture);
    }

    public void Dispose() => _md5.Dispose();
}
