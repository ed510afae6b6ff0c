using Sluice.IO.Buffers;
using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// A body being received into a store: hashed (MD5 for the ETag, plus the optional S3 checksum) as it is written,
/// invisible until committed. Writes are sequential: await each before the next. Disposing without a commit aborts.
/// </summary>
public interface IBodyWriter : IAsyncDisposable
{
    /// <summary>Body bytes written so far.</summary>
    long Length { get; }

    /// <summary>The additional checksum computed while writing (None: only MD5).</summary>
    ChecksumAlgorithm ChecksumAlgorithm { get; }

    /// <summary>Appends <paramref name="chunk"/> to the body.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default);

    /// <summary>Appends the first <paramref name="length"/> bytes of a native buffer.</summary>
    ValueTask WriteAsync(NativeBuffer buffer, int length, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a native buffer's bytes with the digests computed on another thread while the bytes are stored, so
    /// the caller can receive the next chunk meanwhile; <paramref name="extra"/> is fed alongside. Completes when the
    /// buffer may be reused, possibly on a thread-pool thread.
    /// </summary>
    ValueTask WriteHashingElsewhereAsync(NativeBuffer buffer, int length, S3Checksum? extra);

    /// <summary>Discards the body; nothing visible changes.</summary>
    ValueTask AbortAsync();
}

/// <summary>A PutObject in progress (<see cref="IObjectStorage.BeginPutAsync"/>).</summary>
public interface IObjectWriter : IBodyWriter
{
    /// <summary>
    /// Verifies the digests the client sent (BadDigest) and publishes the body as the key's new version, subject to
    /// <paramref name="condition"/> (checked atomically with the publication). Nothing visible changed if it throws.
    /// </summary>
    ValueTask<ObjectMetadata> CommitAsync(ObjectAttributes attributes, string? expectedContentMd5,
        string? expectedChecksum, WriteCondition? condition, CancellationToken cancellationToken = default);
}

/// <summary>An UploadPart in progress (<see cref="IObjectStorage.BeginUploadPartAsync"/>).</summary>
public interface IPartWriter : IBodyWriter
{
    int PartNumber { get; }

    /// <summary>The upload the part belongs to (its attributes say whether parts are encrypted).</summary>
    MultipartUploadInfo Upload { get; }

    /// <summary>Verifies the digests (BadDigest) and stores the part; NoSuchUpload if the upload ended meanwhile. For an
    /// encrypted part, <paramref name="encrypted"/> carries the ETag (null: the store's) and checksum computed over the
    /// plaintext, which the part keeps instead of the store's.</summary>
    ValueTask<PartInfo> CommitAsync(string? expectedContentMd5 = null, string? expectedChecksum = null,
        ObjectEncryption? encrypted = null, CancellationToken cancellationToken = default);
}
