using System.Security.Cryptography;
using Sluice.IO.Buffers;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;

namespace Sluice.Server.Storage;

/// <summary>
/// The digests of a body being received, as every store's writer computes them: MD5 (the ETag) and the optional S3
/// checksum, fed in body order, on the caller's thread or on the thread pool (<see cref="HashElsewhereAsync"/>), and
/// checked at the end against what the client sent.
/// </summary>
/// <remarks>
/// A large body's MD5 runs elsewhere in one of two ways, chosen at its first chunk: alone, on a thread-pool thread
/// with the platform's MD5 (the fastest one-stream chain), or, when other large bodies are being received at the same
/// time, in a lane of the shared <see cref="Md5LaneHasher"/>, which hashes up to eight bodies' blocks in one vector
/// pass, so concurrent PUTs and parts stop queueing for the one core a serial MD5 chain can use.
/// </remarks>
internal sealed class BodyDigests : IDisposable
{
    /// <summary>Bodies whose MD5 runs elsewhere now (in either way): the others a new one would share the hasher with.</summary>
    private static int s_bodiesHashingElsewhere;

    private readonly Md5Digest _md5 = new();
    private readonly S3Checksum? _checksum;
    private OffThreadHasher? _hasher;
    private Md5LaneDigest? _lanes;  // non-null: the MD5 is this lane digest's, not _md5's
    private bool _fedHere;          // bytes went into _md5 on the caller's thread: it stays the MD5
    private bool _counted;          // counted in s_bodiesHashingElsewhere

    public BodyDigests(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
        if (algorithm != ChecksumAlgorithm.None) _checksum = new S3Checksum(algorithm);
    }

    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>Whether the MD5 runs in the shared multi-buffer hasher (decided at the first chunk hashed elsewhere).</summary>
    public bool UsesLanes => _lanes != null;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_lanes != null)
        {
            _lanes.Append(bytes);
        }
        else
        {
            _md5.Append(bytes);
            _fedHere |= !bytes.IsEmpty;
        }
        _checksum?.Append(bytes);
    }

    /// <summary>
    /// Feeds a native buffer's bytes (and <paramref name="extra"/>) off the caller's thread; await before the next chunk
    /// and before disposing — also after a failure, as the bytes are read until it completes.
    /// </summary>
    public ValueTask HashElsewhereAsync(NativeBuffer buffer, int length, S3Checksum? extra)
    {
        if (!_counted)
        {
            _counted = true;
            bool others = Interlocked.Increment(ref s_bodiesHashingElsewhere) > 1;
            if (others && !_fedHere && Md5LaneHasher.IsVectorized) _lanes = Md5LaneHasher.Shared.Rent();
        }
        if (_lanes == null) return (_hasher ??= new OffThreadHasher()).HashAsync(_md5, _checksum, extra, buffer, length);
        var md5 = _lanes.AppendAsync(buffer.Memory[..length]);
        if (_checksum == null && extra == null) return md5;
        // The checksums (CRCs, or SHAs) run beside the lanes on a thread-pool thread, as they would with MD5.
        return BothAsync(md5, (_hasher ??= new OffThreadHasher()).HashAsync(null, _checksum, extra, buffer, length));
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask BothAsync(ValueTask first, ValueTask second)
    {
        try
        {
            await first.ConfigureAwait(false);
        }
        finally
        {
            await second.ConfigureAwait(false); // both read the buffer: wait for both whatever happens
        }
    }

    private void Uncount()
    {
        if (!_counted) return;
        _counted = false;
        Interlocked.Decrement(ref s_bodiesHashingElsewhere);
    }

    /// <summary>
    /// Ends the digests: the MD5, the checksum (base64, or null), and a BadDigest message when Content-MD5 or the
    /// checksum value the client sent does not match (null when they do).
    /// </summary>
    public (byte[] Md5, string? Checksum, string? Mismatch) Finish(string? expectedContentMd5, string? expectedChecksum)
    {
        if (expectedChecksum != null && _checksum == null)
            throw new InvalidOperationException("an expected checksum needs a writer started with that checksum algorithm");
        var md5 = new byte[Md5Digest.HashSizeInBytes];
        if (_lanes != null) _lanes.Finish(md5);
        else _md5.GetHashAndReset(md5);
        Uncount();
        string? checksum = null;
        if (_checksum != null)
        {
            Span<char> base64 = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
            _checksum.TryFormatBase64(base64, out int n);
            checksum = new string(base64[..n]);
        }
        string? mismatch = null;
        if (expectedContentMd5 != null && !FixedTimeEquals(Convert.ToBase64String(md5), expectedContentMd5.Trim()))
            mismatch = "The Content-MD5 you specified did not match what we received.";
        else if (expectedChecksum != null && !FixedTimeEquals(checksum!, expectedChecksum.Trim()))
            mismatch = $"The {Algorithm.GetHeaderName()} you specified did not match the calculated checksum.";
        return (md5, checksum, mismatch);
    }

    /// <summary>BadDigest for a <see cref="Finish"/> mismatch.</summary>
    public static S3StorageException BadDigest(string mismatch) => S3StorageException.Of(S3ErrorCode.BadDigest, mismatch);

    public void Dispose()
    {
        Uncount();
        _lanes?.Dispose();
        _lanes = null;
        _md5.Dispose();
        _checksum?.Dispose();
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
