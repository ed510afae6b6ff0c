using System.Buffers;

namespace Sluice.S3.Http;

/// <summary>
/// Incremental decoder for Content-Encoding: aws-chunked bodies (S3 streaming uploads). Signed framing
/// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) requires ";chunk-signature=&lt;64 hex&gt;" on every size line and
/// reports it in the ChunkHeader event so the caller can verify each chunk as it streams (the final 0-size chunk is
/// signed too); unsigned framing (STREAMING-UNSIGNED-PAYLOAD-TRAILER) forbids extensions. Trailers (x-amz-checksum-*,
/// x-amz-trailer-signature) come as Trailer events. Same call contract as <see cref="ChunkedDecoder"/>.
/// </summary>
public struct AwsChunkedDecoder
{
    private ChunkedBodyReader _reader;

    /// <summary>Creates a decoder; <paramref name="chunkSignatures"/> selects signed framing (every size line carries a chunk-signature).</summary>
    public AwsChunkedDecoder(bool chunkSignatures, ChunkedLimits limits = default) =>
        _reader = new ChunkedBodyReader(chunkSignatures ? ChunkedBodyReader.Framing.AwsSigned : ChunkedBodyReader.Framing.AwsUnsigned, limits);

    /// <summary>Why decoding failed.</summary>
    public readonly ChunkDecodeError Error => _reader.Error;

    /// <summary>True once the body ended.</summary>
    public readonly bool IsCompleted => _reader.IsCompleted;

    /// <summary>Payload bytes delivered so far: compare with x-amz-decoded-content-length at the end.</summary>
    public readonly long DecodedLength => _reader.DecodedLength;

    /// <summary>Decodes the next event from <paramref name="input"/>.</summary>
    public OperationStatus Decode(ReadOnlySpan<byte> input, out int consumed, out ChunkEvent evt) =>
        _reader.Decode(input, out consumed, out evt);
}
