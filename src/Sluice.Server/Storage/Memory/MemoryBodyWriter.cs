using Sluice.IO.Buffers;
using Sluice.S3.Checksums;

namespace Sluice.Server.Storage.Memory;

/// <summary>
/// Receives a body into chunks of managed memory, hashing it as it goes (<see cref="BodyDigests"/>). Chunks grow from
/// 16 KiB to 1 MiB, so a small object costs little and a large one needs no large array; each chunk is reserved
/// against the store's limit before it is allocated (XSluiceStorageFull when it would pass it), and the last one is
/// trimmed to its bytes at the end. Nothing is visible until the subclass commits; an abort gives the bytes back.
/// </summary>
internal abstract class MemoryBodyWriter : IBodyWriter
{
    private const int FirstChunkBytes = 16 * 1024;
    private const int MaxChunkBytes = 1 << 20;

    private readonly BodyDigests _digests;
    private readonly List<byte[]> _chunks = [];
    private int _filled;      // bytes used in the last chunk
    private long _reserved;   // bytes held against the limit (the chunks' sizes)
    private bool _finished;

    private protected MemoryBodyWriter(MemoryStorage storage, ChecksumAlgorithm checksumAlgorithm)
    {
        Storage = storage;
        _digests = new BodyDigests(checksumAlgorithm);
    }

    private protected MemoryStorage Storage { get; }

    public long Length { get; private set; }

    public ChecksumAlgorithm ChecksumAlgorithm => _digests.Algorithm;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        CheckOpen();
        _digests.Append(chunk.Span);
        Append(chunk.Span);
        return default;
    }

    public ValueTask WriteAsync(NativeBuffer buffer, int length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)buffer.Length, nameof(length));
        CheckOpen();
        var bytes = buffer.GetSpan()[..length];
        _digests.Append(bytes);
        Append(bytes);
        return default;
    }

    public async ValueTask WriteHashingElsewhereAsync(NativeBuffer buffer, int length, S3Checksum? extra)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)buffer.Length, nameof(length));
        CheckOpen();
        var hashing = _digests.HashElsewhereAsync(buffer, length, extra);
        try
        {
            Append(buffer.GetSpan()[..length]);
        }
        finally
        {
            await hashing; // the hash reads the buffer until it is done
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_chunks.Count == 0 || _filled == _chunks[^1].Length)
            {
                int size = _chunks.Count == 0 ? FirstChunkBytes : Math.Min(MaxChunkBytes, _chunks[^1].Length * 2);
                Storage.Reserve(size);
                _reserved += size;
                _chunks.Add(GC.AllocateUninitializedArray<byte>(size));
                _filled = 0;
            }
            var last = _chunks[^1];
            int n = Math.Min(bytes.Length, last.Length - _filled);
            bytes[..n].CopyTo(last.AsSpan(_filled));
            _filled += n;
            Length += n;
            bytes = bytes[n..];
        }
    }

    /// <summary>
    /// Ends the body: checks the digests (BadDigest aborts) and returns the MD5, the checksum and the body, whose
    /// reservation passes to the caller (it must keep or release it).
    /// </summary>
    private protected (byte[] Md5, string? Checksum, MemoryBody Body) FinishBody(string? expectedContentMd5, string? expectedChecksum)
    {
        CheckOpen();
        _finished = true;
        var (md5, checksum, mismatch) = _digests.Finish(expectedContentMd5, expectedChecksum);
        if (mismatch != null)
        {
            ReleaseChunks();
            throw BodyDigests.BadDigest(mismatch);
        }
        if (_chunks.Count > 0 && _filled < _chunks[^1].Length)
        {
            // Trim the last chunk to its bytes (a 100-byte object keeps 100 bytes, not 16 KiB).
            var exact = _chunks[^1].AsSpan(0, _filled).ToArray();
            Storage.Release(_chunks[^1].Length - _filled);
            _reserved -= _chunks[^1].Length - _filled;
            _chunks[^1] = exact;
        }
        var segments = new ReadOnlyMemory<byte>[_chunks.Count];
        for (int i = 0; i < segments.Length; i++) segments[i] = _chunks[i];
        var body = new MemoryBody(segments, _reserved);
        _chunks.Clear();
        _reserved = 0;
        return (md5, checksum, body);
    }

    public ValueTask AbortAsync()
    {
        if (_finished) return default;
        _finished = true;
        ReleaseChunks();
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await AbortAsync();
        _digests.Dispose();
    }

    private void ReleaseChunks()
    {
        Storage.Release(_reserved);
        _reserved = 0;
        _chunks.Clear();
    }

    private void CheckOpen() => ObjectDisposedException.ThrowIf(_finished, this);
}
