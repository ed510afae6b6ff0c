using System.Buffers;
using System.Security.Cryptography;
using Sluice.IO;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Service;

namespace Sluice.Server.Auth;

/// <summary>
/// Reads a request's payload in whichever form SigV4 declared it — a plain body (its SHA-256 checked at the end when
/// the client declared a real hash), or aws-chunked (each chunk signature checked, chained from the seed signature;
/// trailers collected and the trailer signature checked). Payload bytes reach the caller before their chunk's
/// signature is checked (the signature covers the whole chunk), so callers write to a temp file and commit only after
/// <see cref="ReadAsync"/> has returned 0: a forged or truncated upload is never visible. Failures throw
/// <see cref="HttpBodyException"/> with the S3 code (SignatureDoesNotMatch, XAmzContentSHA256Mismatch,
/// IncompleteBody, InvalidRequest). Reused per connection.
/// </summary>
public sealed class PayloadReader : IBodySource, IDisposable
{
    /// <summary>Raw aws-chunked bytes are pulled through this buffer; a chunk header line must fit in it.</summary>
    private const int FramingBufferSize = 16 * 1024;

    private readonly SigV4ChunkVerifier _chunks = new();
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _framing = new byte[FramingBufferSize];
    private readonly byte[] _claimed = new byte[64];
    private readonly byte[] _declaredSha256 = new byte[32];
    private readonly ArrayBufferWriter<byte> _trailerLines = new(256);
    private readonly List<KeyValuePair<string, string>> _trailers = [];
    private bool _trailerSigned;
    private S3Exchange? _exchange;
    private SigV4PayloadMode _mode;
    private bool _chunked, _signedChunks, _checkSha256, _done;
    private AwsChunkedDecoder _decoder;
    private int _start, _end;                // raw framing bytes buffered: _framing[_start.._end)
    private int _dataOffset, _dataLength;    // decoded data inside _framing not yet handed out
    private long _decoded, _declaredLength;

    /// <summary>Trailer fields (e.g. x-amz-checksum-crc32) of an aws-chunked body, once the payload is read.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers => _trailers;

    /// <summary>Decoded payload bytes read so far.</summary>
    public long PayloadLength => _decoded;

    /// <summary>Prepares to read the exchange's payload as <paramref name="auth"/> declared it.</summary>
    public void Reset(S3Exchange exchange, in SigV4AuthResult auth)
    {
        _exchange = exchange;
        _mode = auth.IsAuthenticated ? auth.PayloadMode : SigV4PayloadMode.UnsignedPayload;
        _chunked = _mode is SigV4PayloadMode.StreamingSigned or SigV4PayloadMode.StreamingSignedTrailer
            or SigV4PayloadMode.StreamingUnsignedTrailer;
        _signedChunks = _mode is SigV4PayloadMode.StreamingSigned or SigV4PayloadMode.StreamingSignedTrailer;
        _checkSha256 = _mode == SigV4PayloadMode.Sha256 && auth.DeclaredPayloadSha256.Length == 32;
        if (_checkSha256) auth.DeclaredPayloadSha256.CopyTo(_declaredSha256);
        if (_signedChunks) _chunks.Reset(auth);
        _sha256.GetHashAndReset(_claimed); // clear any state left by an abandoned request
        _decoder = new AwsChunkedDecoder(_signedChunks);
        _start = _end = _dataOffset = _dataLength = 0;
        _decoded = 0;
        _done = false;
        _trailerSigned = false;
        _trailers.Clear();
        _trailerLines.ResetWrittenCount();
        var head = exchange.HeadBytes.Span;
        _declaredLength = exchange.Request.Headers.TryGet(KnownHeader.XAmzDecodedContentLength, out var f)
            && long.TryParse(f.Value.Of(head), System.Globalization.NumberStyles.None, null, out long d) ? d : -1;
        if (_chunked && _declaredLength < 0)
            throw new HttpBodyException(S3ErrorCode.MissingContentLength, "x-amz-decoded-content-length is required with aws-chunked payloads");
    }

    /// <summary>Reads decoded payload bytes; 0 once the payload is complete and verified.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var exchange = _exchange ?? throw new InvalidOperationException("Reset first");
        if (_done || destination.IsEmpty) return 0;
        if (!_chunked)
        {
            int n = await exchange.ReadBodyAsync(destination, cancellationToken);
            exchange.BodyBytesRead += n;
            if (n > 0)
            {
                if (_checkSha256) _sha256.AppendData(destination.Span[..n]);
                _decoded += n;
                return n;
            }
            FinishPlain();
            return 0;
        }
        while (true)
        {
            if (_dataLength > 0)
            {
                int n = Math.Min(_dataLength, destination.Length);
                var data = _framing.AsSpan(_dataOffset, n);
                data.CopyTo(destination.Span);
                if (_signedChunks) _chunks.AppendChunkData(data);
                _dataOffset += n;
                _dataLength -= n;
                _decoded += n;
                if (_decoded > _declaredLength)
                    throw new HttpBodyException(S3ErrorCode.IncompleteBody, "more payload than x-amz-decoded-content-length");
                return n;
            }
            if (_done) return 0;
            var status = _decoder.Decode(_framing.AsSpan(_start, _end - _start), out int consumed, out ChunkEvent evt);
            if (status == OperationStatus.InvalidData)
                throw new HttpBodyException(S3ErrorCode.InvalidRequest, $"malformed aws-chunked payload ({_decoder.Error})");
            if (status == OperationStatus.NeedMoreData)
            {
                await FillAsync(cancellationToken);
                continue;
            }
            switch (evt.Kind)
            {
                case ChunkEventKind.ChunkHeader:
                    if (_signedChunks)
                    {
                        if (evt.Signature.Length != 64) throw Forged();
                        evt.Signature.CopyTo(_claimed);
                        if (evt.ChunkSize == 0 && !_chunks.VerifyChunk(_claimed)) throw Forged();
                    }
                    break;
                case ChunkEventKind.Data:
                    // Hand the data out from the framing buffer; it stays put until consumed.
                    _dataOffset = _start + consumed - evt.Data.Length;
                    _dataLength = evt.Data.Length;
                    break;
                case ChunkEventKind.ChunkEnd:
                    if (_signedChunks && !_chunks.VerifyChunk(_claimed)) throw Forged();
                    break;
                case ChunkEventKind.Trailer:
                    OnTrailer(evt.TrailerName, evt.TrailerValue);
                    break;
                case ChunkEventKind.Completed:
                    // A signed-trailer upload must end with a verified trailer signature, else its checksum is unsigned.
                    if (_mode == SigV4PayloadMode.StreamingSignedTrailer && !_trailerSigned) throw Forged();
                    _done = true;
                    if (_decoded != _declaredLength)
                        throw new HttpBodyException(S3ErrorCode.IncompleteBody,
                            $"payload was {_decoded} bytes, x-amz-decoded-content-length said {_declaredLength}");
                    break;
            }
            _start += consumed; // data events leave their bytes in place: they are handed out from _dataOffset
        }
    }

    /// <summary>Continues on the thread serving the exchange being read (see <see cref="S3Exchange.ResumeOnOwner"/>).</summary>
    public OwnerAwaitable ResumeOnOwner() => (_exchange ?? throw new InvalidOperationException("Reset first")).ResumeOnOwner();

    private void OnTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (name.SequenceEqual("x-amz-trailer-signature"u8))
        {
            if (_mode != SigV4PayloadMode.StreamingSignedTrailer || !_chunks.VerifyTrailer(_trailerLines.WrittenSpan, value))
                throw Forged();
            _trailerSigned = true;
            return;
        }
        // Nothing may follow the signature: it would not be covered by it.
        if (_trailerSigned) throw Forged();
        // The trailer signature covers "name:value\n" for each trailer, in order.
        _trailerLines.Write(name);
        _trailerLines.Write(":"u8);
        _trailerLines.Write(value);
        _trailerLines.Write("\n"u8);
        _trailers.Add(new(System.Text.Encoding.ASCII.GetString(name).ToLowerInvariant(), System.Text.Encoding.ASCII.GetString(value)));
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _framing.AsSpan(_start, _end - _start).CopyTo(_framing);
            _end -= _start;
            _start = 0;
        }
        if (_end == _framing.Length) throw new HttpBodyException(S3ErrorCode.InvalidRequest, "aws-chunked framing line too long");
        int n = await _exchange!.ReadBodyAsync(_framing.AsMemory(_end), cancellationToken);
        _exchange.BodyBytesRead += n;
        if (n == 0) throw new HttpBodyException(S3ErrorCode.IncompleteBody, "the body ended inside the aws-chunked payload");
        _end += n;
    }

    private void FinishPlain()
    {
        _done = true;
        if (!_checkSha256) return;
        Span<byte> hash = stackalloc byte[32];
        _sha256.GetHashAndReset(hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, _declaredSha256))
            throw new HttpBodyException(S3ErrorCode.XAmzContentSHA256Mismatch,
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    private static HttpBodyException Forged() => new(S3ErrorCode.SignatureDoesNotMatch,
        "The request signature we calculated does not match the signature you provided (aws-chunked payload).");

    public void Dispose()
    {
        _chunks.Dispose();
        _sha256.Dispose();
    }
}
