using System.Buffers;

namespace Sluice.S3.Http;

/// <summary>
/// Incremental decoder for Transfer-Encoding: chunked (RFC 9112 §7.1). Zero copy: each call yields one event whose
/// spans are slices of the input. Contract: on Done, drop <c>consumed</c> bytes and call again; on NeedMoreData
/// (consumed is 0), call again with the same bytes plus more; on InvalidData see <see cref="Error"/>. Keep the decoder
/// in a variable (it is a mutable struct), and buffer at least <see cref="ChunkedLimits.MaxLineLength"/> + 2 bytes.
/// </summary>
public struct ChunkedDecoder
{
    private ChunkedBodyReader _reader;

    /// <summary>Creates a decoder with <paramref name="limits"/> (default limits when omitted).</summary>
    public ChunkedDecoder(ChunkedLimits limits = default) =>
        _reader = new ChunkedBodyReader(ChunkedBodyReader.Framing.Http, limits);

    /// <summary>Why decoding failed.</summary>
    public readonly ChunkDecodeError Error => _reader.Error;

    /// <summary>True once the terminating blank line was consumed.</summary>
    public readonly bool IsCompleted => _reader.IsCompleted;

    /// <summary>Payload bytes delivered so far.</summary>
    public readonly long DecodedLength => _reader.DecodedLength;

    /// <summary>Decodes the next event from <paramref name="input"/>.</summary>
    public OperationStatus Decode(ReadOnlySpan<byte> input, out int consumed, out ChunkEvent evt) =>
        _reader.Decode(input, out consumed, out evt);
}
