using System.Buffers;
using System.Runtime.CompilerServices;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Http;

namespace Sluice.Client.Transport;

/// <summary>
/// An upload body in aws-chunked framing, produced as it is read: the caller's memory or stream is cut into chunks of
/// <see cref="ChunkSize"/> bytes, each written with its header ("hex-size[;chunk-signature=…]\r\n") and CRLF straight
/// into the reader's buffer (a stream source is read into that buffer, so a chunk costs no extra copy), then the final
/// chunk and the trailer (a checksum computed over the bytes as they passed, and in signed-trailer mode its
/// signature). The transport sends it as any other body stream, on HTTP/1.1 and HTTP/2 alike, so nothing is buffered
/// whole. The chunk signatures chain from the request's signature, which changes per attempt:
/// <see cref="Begin"/> takes it after each signing and restarts the body. Seekable when the source is (or memory), so
/// a retry (or the HTTP/2 handler's resend after a refused stream) rewinds it to 0.
/// </summary>
internal sealed class AwsChunkedContent : Stream
{
    /// <summary>Chunk payload size: S3 requires at least 8 KiB per chunk but the last; the AWS SDKs send 64 KiB.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>The final chunk, trailer lines, trailer signature and closing CRLF fit in this many bytes.</summary>
    private const int FinalMax = 512;

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly Stream? _source;
    private readonly long _sourceStart;
    private readonly bool _signed;
    private readonly S3Checksum? _checksum;
    private readonly ChecksumAlgorithm _trailerAlgorithm;
    private readonly byte[]? _trailerValue;
    private readonly byte[] _seedTimestamp = new byte[16]; // yyyyMMddTHHmmssZ
    private readonly byte[] _seedSignature = new byte[32]; // SHA-256
    private SigV4SigningKey? _seedKey;
    private SigV4ChunkSigner? _signer;
    private long _payloadSent;
    private long _position;
    private bool _finalWritten;

    // A chunk that did not fit the reader's buffer is produced here and handed out over several reads.
    private byte[]? _stage;
    private int _stageStart;
    private int _stageEnd;

    /// <param name="mode">A streaming mode.</param>
    /// <param name="trailer">The trailer's checksum (trailer modes), else None.</param>
    /// <param name="trailerValue">A precomputed base64 value for the trailer (the server checks it against the
    /// bytes); null computes it while sending.</param>
    public AwsChunkedContent(PayloadSigning mode, ReadOnlyMemory<byte> memory, Stream? source, long payloadLength,
        ChecksumAlgorithm trailer, string? trailerValue)
    {
        Mode = mode;
        _signed = mode is PayloadSigning.StreamingSigned or PayloadSigning.StreamingSignedTrailer;
        _memory = memory;
        _source = source;
        _sourceStart = source is { CanSeek: true } ? source.Position : 0;
        PayloadLength = payloadLength;
        _trailerAlgorithm = trailer;
        if (trailer != ChecksumAlgorithm.None)
        {
            if (trailerValue is null)
            {
                _checksum = new S3Checksum(trailer);
            }
            else
            {
                _trailerValue = System.Text.Encoding.ASCII.GetBytes(trailerValue);
                if (_trailerValue.Length > ChecksumAlgorithmExtensions.MaxBase64Length)
                {
                    throw new ArgumentException("The checksum value is longer than any checksum's base64 form.", nameof(trailerValue));
                }
            }
        }

        long trailerLength = 0;
        if (trailer != ChecksumAlgorithm.None)
        {
            trailerLength = AwsChunkedEncoder.GetTrailerLength(trailer.GetHeaderName().Length,
                _trailerValue?.Length ?? trailer.GetBase64Length());
            if (mode == PayloadSigning.StreamingSignedTrailer)
            {
                trailerLength += AwsChunkedEncoder.TrailerSignatureLineLength;
            }
        }

        Length = AwsChunkedEncoder.GetEncodedLength(payloadLength, ChunkSize, _signed, trailerLength);
    }

    public PayloadSigning Mode { get; }

    /// <summary>The decoded length (x-amz-decoded-content-length).</summary>
    public long PayloadLength { get; }

    /// <summary>The x-amz-content-sha256 value.</summary>
    public string PayloadHash => Mode switch
    {
        PayloadSigning.StreamingSigned => SigV4PayloadHash.StreamingSigned,
        PayloadSigning.StreamingSignedTrailer => SigV4PayloadHash.StreamingSignedTrailer,
        _ => SigV4PayloadHash.StreamingUnsignedTrailer,
    };

    /// <summary>The trailer's field name (x-amz-trailer), or null without a trailer.</summary>
    public string? TrailerName => _trailerAlgorithm == ChecksumAlgorithm.None ? null : _trailerAlgorithm.GetHeaderName();

    public override bool CanRead => true;

    public override bool CanSeek => _source is null || _source.CanSeek;

    public override bool CanWrite => false;

    /// <summary>The encoded length (Content-Length).</summary>
    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set
        {
            if (value == _position)
            {
                return;
            }

            if (value != 0)
            {
                throw new NotSupportedException("An aws-chunked body can only be rewound to its start.");
            }

            Rewind();
        }
    }

    /// <summary>Starts (again) from the first byte, chaining chunk signatures from this attempt's request signature.</summary>
    public void Begin(in SigV4SigningResult seed)
    {
        _seedKey = seed.SigningKey;
        seed.Timestamp.CopyTo(_seedTimestamp);
        seed.Signature.CopyTo(_seedSignature);
        Rewind();
    }

    private void Rewind()
    {
        if (_payloadSent > 0 || _finalWritten || _stageEnd > 0)
        {
            if (_source is { CanSeek: false })
            {
                throw new NotSupportedException("The body stream cannot be sent again (it does not seek).");
            }

            if (_source is not null)
            {
                _source.Position = _sourceStart;
            }
        }

        _payloadSent = 0;
        _position = 0;
        _finalWritten = false;
        _stageStart = _stageEnd = 0;
        _checksum?.Reset();
        _signer = _signed ? new SigV4ChunkSigner(_seedKey ?? throw new InvalidOperationException("Begin was not called."),
            _seedTimestamp, _seedSignature) : null;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Pooled state machines: a read that waits for the source stream allocates nothing per chunk.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_signed && _signer is null)
        {
            throw new InvalidOperationException("Begin was not called.");
        }

        int written = 0;
        while (written < destination.Length)
        {
            if (_stageStart < _stageEnd)
            {
                int n = Math.Min(_stageEnd - _stageStart, destination.Length - written);
                _stage.AsSpan(_stageStart, n).CopyTo(destination.Span[written..]);
                _stageStart += n;
                written += n;
                continue;
            }

            if (_finalWritten)
            {
                break;
            }

            Memory<byte> free = destination[written..];
            int size = (int)Math.Min(ChunkSize, PayloadLength - _payloadSent);
            int need = size > 0 ? AwsChunkedEncoder.GetChunkHeaderLength(size, _signed) + size + 2 : FinalMax;
            if (free.Length < need && written > 0)
            {
                // What is there goes now; the next read takes the next chunk whole.
                break;
            }

            Memory<byte> target = free.Length >= need ? free : StageFor(need);
            int produced = size > 0
                ? await ProduceChunkAsync(target, size, cancellationToken).ConfigureAwait(false)
                : ProduceFinal(target.Span);
            if (free.Length >= need)
            {
                written += produced;
            }
            else
            {
                _stageStart = 0;
                _stageEnd = produced;
            }
        }

        _position += written;
        return written;
    }

    private Memory<byte> StageFor(int need)
    {
        _stage ??= ArrayPool<byte>.Shared.Rent(ChunkSize + FinalMax);
        return _stage.AsMemory(0, need);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ProduceChunkAsync(Memory<byte> target, int size, CancellationToken cancellationToken)
    {
        int header = AwsChunkedEncoder.GetChunkHeaderLength(size, _signed);
        Memory<byte> data = target.Slice(header, size);
        if (_source is null)
        {
            _memory.Slice((int)_payloadSent, size).CopyTo(data);
        }
        else
        {
            for (int filled = 0; filled < size;)
            {
                int n = await _source.ReadAsync(data[filled..], cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ArgumentException(
                        $"The body stream ended {PayloadLength - _payloadSent - filled} bytes before the declared length of {PayloadLength}.");
                }

                filled += n;
            }
        }

        _payloadSent += size;
        return WriteChunk(target.Span, size);
    }

    /// <summary>Hashes and signs the data already at its place in <paramref name="target"/> and writes the framing around it.</summary>
    private int WriteChunk(Span<byte> target, int size)
    {
        int header = AwsChunkedEncoder.GetChunkHeaderLength(size, _signed);
        ReadOnlySpan<byte> data = target.Slice(header, size);
        _checksum?.Append(data);
        Span<byte> signature = stackalloc byte[AwsChunkedEncoder.SignatureLength];
        if (_signer is not null)
        {
            _signer.SignChunk(data, signature);
        }

        AwsChunkedEncoder.TryWriteChunkHeader(size, _signer is null ? default : signature, target, out _);
        "\r\n"u8.CopyTo(target[(header + size)..]);
        return header + size + 2;
    }

    private int ProduceFinal(Span<byte> target)
    {
        Span<byte> signature = stackalloc byte[AwsChunkedEncoder.SignatureLength];
        if (_signer is not null)
        {
            _signer.SignChunk(ReadOnlySpan<byte>.Empty, signature);
        }

        AwsChunkedEncoder.TryWriteChunkHeader(0, _signer is null ? default : signature, target, out int p);
        if (_trailerAlgorithm != ChecksumAlgorithm.None)
        {
            Span<byte> value = stackalloc byte[ChecksumAlgorithmExtensions.MaxBase64Length];
            int valueLength;
            if (_trailerValue is not null)
            {
                _trailerValue.CopyTo(value);
                valueLength = _trailerValue.Length;
            }
            else
            {
                _checksum!.TryFormatBase64Utf8(value, out valueLength);
            }

            int start = p;
            AwsChunkedEncoder.TryWriteTrailer(_trailerAlgorithm.GetHeaderNameUtf8(), value[..valueLength], target[p..], out int n);
            p += n;
            if (_signer is not null && Mode == PayloadSigning.StreamingSignedTrailer)
            {
                _signer.SignTrailer(target[start..p], signature);
                AwsChunkedEncoder.TryWriteTrailer(AwsChunkedEncoder.TrailerSignatureName, signature, target[p..], out n);
                p += n;
            }
        }

        "\r\n"u8.CopyTo(target[p..]);
        _finalWritten = true;
        return p + 2;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (origin != SeekOrigin.Begin)
        {
            throw new NotSupportedException("An aws-chunked body can only be rewound to its start.");
        }

        Position = offset;
        return _position;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _checksum?.Dispose();
            if (_stage is not null)
            {
                ArrayPool<byte>.Shared.Return(_stage);
                _stage = null;
            }
        }

        base.Dispose(disposing);
    }
}
