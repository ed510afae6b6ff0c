using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Client.Transfer;

/// <summary>
/// Recomputes what a server derived from an object's bytes, fed in object order: its ETag (the MD5 of a single-part
/// object, or for a multipart object the <see cref="MultipartETag"/> of its parts' MD5s), or a checksum that does not
/// combine — SHA-1, SHA-256, SHA-512, MD5, the XXHASHes — (the digest of the whole object, or S3's COMPOSITE: the digest of the parts' digests, "-N"). Multipart
/// values need the uploader's part size (every part that size but the last) or, for parts of uneven sizes, each
/// part's exact size. What a download checks when the server stored no CRC, or a SHA digest, which does not combine
/// from the download's own parts. Parts that finish out of order wait for their turn (<see cref="AppendInOrderAsync"/>),
/// as the in-order stream sink does, so the bytes are hashed once, on the fly.
/// </summary>
internal sealed class ObjectDigest : IDisposable
{
    private readonly ChecksumAlgorithm _algorithm;
    private readonly S3Checksum _part;
    private readonly MultipartETag? _multipart;
    private readonly S3Checksum? _composite;
    private readonly long _partSize;
    private readonly long[]? _partSizes;
    private readonly PartTurns _turns = new();
    private long _inPart;
    private int _parts;

    private ObjectDigest(ChecksumAlgorithm algorithm, long partSize, int partCount, long[]? partSizes = null)
    {
        _algorithm = algorithm;
        _partSize = partSize;
        _partSizes = partSizes;
        PartCount = partCount;
        _part = NewDigest(algorithm);
        if (partCount > 0)
        {
            if (algorithm == ChecksumAlgorithm.None) _multipart = new MultipartETag();
            else _composite = NewDigest(algorithm);
        }
    }

    /// <summary>The uploader's part count, or 0 for a single-part object (or a full-object digest).</summary>
    public int PartCount { get; }

    public static ObjectDigest ForSinglePart() => new(ChecksumAlgorithm.None, long.MaxValue, 0);

    public static ObjectDigest ForMultipart(long uploaderPartSize, int partCount) => new(ChecksumAlgorithm.None, uploaderPartSize, partCount);

    /// <summary>For a multipart object whose parts' exact sizes are known (in part order; they sum to the object's size).</summary>
    public static ObjectDigest ForParts(long[] partSizes) => new(ChecksumAlgorithm.None, 0, partSizes.Length, partSizes);

    /// <summary>The digest of the whole object (an algorithm that does not combine), base64.</summary>
    public static ObjectDigest ForChecksum(ChecksumAlgorithm algorithm) => new(algorithm, long.MaxValue, 0);

    /// <summary>S3's COMPOSITE digest over uniform parts of the uploader's size.</summary>
    public static ObjectDigest ForComposite(ChecksumAlgorithm algorithm, long uploaderPartSize, int partCount) => new(algorithm, uploaderPartSize, partCount);

    /// <summary>S3's COMPOSITE digest over parts of these exact sizes.</summary>
    public static ObjectDigest ForComposite(ChecksumAlgorithm algorithm, long[] partSizes) => new(algorithm, 0, partSizes.Length, partSizes);

    // None is the ETag: the MD5 of the bytes (of each part, for a multipart ETag).
    private static S3Checksum NewDigest(ChecksumAlgorithm algorithm) => algorithm.IsCombinable()
        ? throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "a CRC combines from the parts; no in-order digest is needed")
        : new S3Checksum(algorithm == ChecksumAlgorithm.None ? ChecksumAlgorithm.Md5 : algorithm);

    /// <summary>The size of the part being hashed: the uploader's, or the exact one (bytes beyond the last part end nothing).</summary>
    private long CurrentPartSize => _partSizes is null ? _partSize : _parts < _partSizes.Length ? _partSizes[_parts] : long.MaxValue;

    /// <summary>Hashes the next bytes of the object (any length, across the uploader's part boundaries).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            long partSize = CurrentPartSize;
            int take = (int)Math.Min(data.Length, partSize - _inPart);
            _part.Append(data[..take]);
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
        Span<byte> digest = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int n = _part.GetHashAndReset(digest);
        // Parts beyond the count the value names still count: Finish reports the mismatch instead of a wrong value.
        if (_multipart != null) _multipart.AddPart(digest[..n]);
        else _composite!.Append(digest[..n]);
        _parts++;
        _inPart = 0;
    }

    /// <summary>The value of the bytes fed: the ETag (lower case, no quotes) or the checksum (base64, "-N" when composite).</summary>
    public string Finish()
    {
        Span<byte> hash = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        if (PartCount == 0)
        {
            int n = _part.GetHashAndReset(hash);
            return _algorithm == ChecksumAlgorithm.None ? Convert.ToHexStringLower(hash[..n]) : Convert.ToBase64String(hash[..n]);
        }
        if (_inPart > 0) EndPart();
        // Exact sizes may end with an empty part, which no byte ever ended.
        while (_partSizes != null && _parts < PartCount && _partSizes[_parts] == 0) EndPart();
        if (_parts != PartCount)
            return _partSizes is null ? $"({_parts} parts of {_partSize} bytes, not {PartCount})" : $"({_parts} of {PartCount} parts)";
        if (_multipart != null) return _multipart.FormatUnquoted();
        int length = _composite!.GetHashAndReset(hash);
        return Convert.ToBase64String(hash[..length]) + "-" + PartCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        _part.Dispose();
        _multipart?.Dispose();
        _composite?.Dispose();
    }
}
