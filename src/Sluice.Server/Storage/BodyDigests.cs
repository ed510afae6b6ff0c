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
internal sealed class BodyDigests : IDisposable
{
    private readonly Md5Digest _md5 = new();
    private readonly S3Checksum? _checksum;
    private OffThreadHasher? _hasher;

    public BodyDigests(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
        if (algorithm != ChecksumAlgorithm.None) _checksum = new S3Checksum(algorithm);
    }

    public ChecksumAlgorithm Algorithm { get; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        _md5.Append(bytes);
        _checksum?.Append(bytes);
    }

    /// <summary>Feeds a native buffer's bytes (and <paramref name="extra"/>) on a thread-pool thread; await before the next chunk.</summary>
    public ValueTask HashElsewhereAsync(NativeBuffer buffer, int length, S3Checksum? extra) =>
        (_hasher ??= new OffThreadHasher()).HashAsync(_md5, _checksum, extra, buffer, length);

    /// <summary>
    /// Ends the digests: the MD5, the checksum (base64, or null), and a BadDigest message when Content-MD5 or the
    /// checksum value the client sent does not match (null when they do).
    /// </summary>
    public (byte[] Md5, string? Checksum, string? Mismatch) Finish(string? expectedContentMd5, string? expectedChecksum)
    {
        if (expectedChecksum != null && _checksum == null)
            throw new InvalidOperationException("an expected checksum needs a writer started with that checksum algorithm");
        var md5 = new byte[Md5Digest.HashSizeInBytes];
        _md5.GetHashAndReset(md5);
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
        _md5.Dispose();
        _checksum?.Dispose();
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
