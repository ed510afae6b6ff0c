using System.Buffers;
using System.Security.Cryptography;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Service.Encryption;

/// <summary>
/// The plaintext of an encrypted version, read from the store's reader of its ciphertext: one
/// <see cref="EncryptedLayout"/> stream for an object written in one piece, one per part for a multipart object
/// (each with its own salt). A read decrypts only the chunks it touches, so a ranged GET costs the range (plus at most
/// a chunk on each side), and each chunk's tag is checked before a byte of it is used: a stored chunk that was changed,
/// moved or cut off fails the read (an <see cref="IOException"/>) instead of returning wrong bytes. Does not own the
/// store's reader: its holder disposes it.
/// </summary>
internal sealed class SseDecryptingReader : IObjectReader
{
    private readonly IObjectReader _stored;
    private readonly byte[] _dataKey;
    private readonly int _chunkSize;
    private readonly long[] _storedStarts;   // where each stream starts in the stored body
    private readonly long[] _plainStarts;    // where each stream's plaintext starts in the object (ascending)
    private readonly long[] _plainLengths;
    private readonly AesGcm?[] _ciphers;     // a stream's cipher, made when first read
    private readonly byte[] _sealed;
    private readonly byte[] _chunk;
    private int _chunkStream = -1;           // which decrypted chunk _chunk holds
    private long _chunkIndex = -1;
    private int _chunkLength;

    /// <param name="stored">The version's ciphertext.</param>
    /// <param name="presented">Its metadata as clients see it (plaintext size).</param>
    /// <param name="dataKey">The data key (SSE-C: the customer's key).</param>
    /// <param name="streamLengths">Stored length of each stream, in order (one for a single PUT).</param>
    public SseDecryptingReader(IObjectReader stored, ObjectMetadata presented, byte[] dataKey, int chunkSize, IReadOnlyList<long> streamLengths)
    {
        _stored = stored;
        Metadata = presented;
        _dataKey = dataKey;
        _chunkSize = chunkSize;
        int n = streamLengths.Count;
        _storedStarts = new long[n];
        _plainStarts = new long[n];
        _plainLengths = new long[n];
        _ciphers = new AesGcm?[n];
        long storedAt = 0, plainAt = 0;
        for (int i = 0; i < n; i++)
        {
            long plain = EncryptedLayout.PlainLength(streamLengths[i], chunkSize);
            if (plain < 0) throw new IOException("an encrypted stream has an impossible stored length");
            _storedStarts[i] = storedAt;
            _plainStarts[i] = plainAt;
            _plainLengths[i] = plain;
            storedAt += streamLengths[i];
            plainAt += plain;
        }
        if (storedAt != stored.Length) throw new IOException("the encrypted streams do not add up to the stored body");
        Length = plainAt;
        _sealed = ArrayPool<byte>.Shared.Rent(chunkSize + EncryptedLayout.TagSize);
        _chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
    }

    public ObjectMetadata Metadata { get; }

    /// <summary>Plaintext length.</summary>
    public long Length { get; }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (position >= Length || buffer.IsEmpty) return 0;
        int stream = StreamAt(position);
        long inStream = position - _plainStarts[stream];
        long index = inStream / _chunkSize;
        await LoadChunkAsync(stream, index, cancellationToken);
        int offset = (int)(inStream - (index * _chunkSize));
        int n = Math.Min(buffer.Length, _chunkLength - offset);
        _chunk.AsSpan(offset, n).CopyTo(buffer.Span);
        return n;
    }

    /// <summary>The head with the range's length, then the range's plaintext, a chunk at a time.</summary>
    public async ValueTask SendAsync(S3Exchange exchange, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        await exchange.SendHeadAsync(length, cancellationToken);
        long at = offset, end = offset + length;
        while (at < end)
        {
            int stream = StreamAt(at);
            long inStream = at - _plainStarts[stream];
            long index = inStream / _chunkSize;
            await LoadChunkAsync(stream, index, cancellationToken);
            int from = (int)(inStream - (index * _chunkSize));
            int n = (int)Math.Min(_chunkLength - from, end - at);
            // WriteBodyAsync is done with the bytes when it completes, so the chunk buffer is reused for the next.
            await exchange.WriteBodyAsync(_chunk.AsMemory(from, n), cancellationToken);
            at += n;
        }
    }

    private int StreamAt(long position)
    {
        int i = Array.BinarySearch(_plainStarts, position);
        if (i < 0) return ~i - 1;
        while (i + 1 < _plainStarts.Length && _plainStarts[i + 1] == position) i++; // skip empty streams
        return i;
    }

    private async ValueTask LoadChunkAsync(int stream, long index, CancellationToken cancellationToken)
    {
        if (stream == _chunkStream && index == _chunkIndex) return;
        _chunkStream = -1;
        var cipher = _ciphers[stream] ??= await OpenStreamAsync(stream, cancellationToken);
        long plainLength = _plainLengths[stream];
        long chunks = EncryptedLayout.ChunkCount(plainLength, _chunkSize);
        int plain = (int)Math.Min(_chunkSize, plainLength - (index * _chunkSize));
        long at = _storedStarts[stream] + EncryptedLayout.HeaderSize + (index * (_chunkSize + EncryptedLayout.TagSize));
        await ReadExactlyAsync(_sealed.AsMemory(0, plain + EncryptedLayout.TagSize), at, cancellationToken);
        Span<byte> nonce = stackalloc byte[12];
        SseStreams.Nonce(index, index == chunks - 1, nonce);
        try
        {
            cipher.Decrypt(nonce, _sealed.AsSpan(0, plain), _sealed.AsSpan(plain, EncryptedLayout.TagSize), _chunk.AsSpan(0, plain));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new IOException($"encrypted object {Metadata.Key}: chunk {index} of stream {stream} failed authentication", e);
        }
        _chunkStream = stream;
        _chunkIndex = index;
        _chunkLength = plain;
    }

    private async ValueTask<AesGcm> OpenStreamAsync(int stream, CancellationToken cancellationToken)
    {
        var header = new byte[EncryptedLayout.HeaderSize];
        await ReadExactlyAsync(header, _storedStarts[stream], cancellationToken);
        if (!header.AsSpan(0, EncryptedLayout.Magic.Length).SequenceEqual(EncryptedLayout.Magic))
            throw new IOException($"encrypted object {Metadata.Key}: stream {stream} has no stream header");
        return SseStreams.StreamCipher(_dataKey, header.AsSpan(EncryptedLayout.Magic.Length));
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken)
    {
        for (int done = 0; done < buffer.Length;)
        {
            int n = await _stored.ReadAsync(buffer[done..], position + done, cancellationToken);
            if (n == 0) throw new IOException($"encrypted object {Metadata.Key}: the stored body ended early");
            done += n;
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var cipher in _ciphers) cipher?.Dispose();
        CryptographicOperations.ZeroMemory(_chunk);
        ArrayPool<byte>.Shared.Return(_sealed);
        ArrayPool<byte>.Shared.Return(_chunk);
        return default;
    }
}
