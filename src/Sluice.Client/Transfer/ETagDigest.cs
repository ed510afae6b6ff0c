using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Client.Transfer;

/// <summary>
/// Recomputes an S3 ETag from an object's bytes fed in object order: the MD5 of a single-part object, or for a
/// multipart object the <see cref="MultipartETag"/> of its parts' MD5s, given the uploader's part size (every part
/// that size but the last) or, for parts of uneven sizes, each part's exact size. What a download checks when the
/// server stored no CRC. Parts that finish out of order wait for their turn (<see cref="AppendInOrderAsync"/>), as the
/// in-order stream sink does, so the bytes are hashed once, on the fly.
/// </summary>
internal sealed class ETagDigest : IDisposable
{
    private readonly Md5Digest _md5 = new();
    private readonly MultipartETag? _multipart;
    private readonly long _partSize;
    private readonly long[]? _partSizes;
    private readonly PartTurns _turns = new();
    private long _inPart;
    private int _parts;

    private ETagDigest(long partSize, int partCount, long[]? partSizes = null)
    {
        _partSize = partSize;
        _partSizes = partSizes;
        PartCount = partCount;
        _multipart = partCount > 0 ? new MultipartETag() : null;
    }

    /// <summary>The uploader's part count, or 0 for a single-part object.</summary>
    public int PartCount { get; }

    public static ETagDigest ForSinglePart() => new(long.MaxValue, 0);

    public static ETagDigest ForMultipart(long uploaderPartSize, int partCount) => new(uploaderPartSize, partCount);

    /// <summary>For a multipart object whose parts' exact sizes are known (in part order; they sum to the object's size).</summary>
    public static ETagDigest ForParts(long[] partSizes) => new(0, partSizes.Length, partSizes);

    /// <summary>The size of the part being hashed: the uploader's, or the exact one (bytes beyond the last part end nothing).</summary>
    private long CurrentPartSize => _partSizes is null ? _partSize : _parts < _partSizes.Length ? _partSizes[_parts] : long.MaxValue;

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
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        _md5.GetHashAndReset(md5);
        // Parts beyond the count the ETag names still count: Finish reports the mismatch instead of a wrong ETag.
        _multipart!.AddPart(md5);
        _parts++;
        _inPart = 0;
    }

    /// <summary>The ETag of the bytes fed (lower case, no quotes).</summary>
    public string Finish()
    {
        if (_multipart is null)
        {
            Span<byte> hash = stackalloc byte[Md5Digest.HashSizeInBytes];
            _md5.GetHashAndReset(hash);
            return Convert.ToHexStringLower(hash);
        }
        if (_inPart > 0) EndPart();
        // Exact sizes may end with an empty part, which no byte ever ended.
        while (_partSizes != null && _parts < PartCount && _partSizes[_parts] == 0) EndPart();
        if (_parts != PartCount)
            return _partSizes is null ? $"({_parts} parts of {_partSize} bytes, not {PartCount})" : $"({_parts} of {PartCount} parts)";
        return _multipart.FormatUnquoted();
    }

    public void Dispose()
    {
        _md5.Dispose();
        _multipart?.Dispose();
    }
}
