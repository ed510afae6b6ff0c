namespace Sluice.S3.Http;

/// <summary>One event from <see cref="ChunkedDecoder"/> or <see cref="AwsChunkedDecoder"/>. Spans are slices of the
/// input just passed in and are valid until that input is released.</summary>
public readonly ref struct ChunkEvent
{
    private ChunkEvent(ChunkEventKind kind, long chunkSize, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Kind = kind;
        ChunkSize = chunkSize;
        _first = first;
        _second = second;
    }

    private readonly ReadOnlySpan<byte> _first;
    private readonly ReadOnlySpan<byte> _second;

    /// <summary>The event kind.</summary>
    public ChunkEventKind Kind { get; }

    /// <summary>For <see cref="ChunkEventKind.ChunkHeader"/>: the declared chunk size.</summary>
    public long ChunkSize { get; }

    /// <summary>For aws-chunked signed chunk headers: the 64 lowercase hex chunk-signature.</summary>
    public ReadOnlySpan<byte> Signature => Kind == ChunkEventKind.ChunkHeader ? _first : default;

    /// <summary>For HTTP chunk headers: the raw chunk extensions after the size (ignored by this codec).</summary>
    public ReadOnlySpan<byte> Extensions => Kind == ChunkEventKind.ChunkHeader ? _second : default;

    /// <summary>For <see cref="ChunkEventKind.Data"/>: the payload bytes, always input[..consumed].</summary>
    public ReadOnlySpan<byte> Data => Kind == ChunkEventKind.Data ? _first : default;

    /// <summary>For <see cref="ChunkEventKind.Trailer"/>: the field name.</summary>
    public ReadOnlySpan<byte> TrailerName => Kind == ChunkEventKind.Trailer ? _first : default;

    /// <summary>For <see cref="ChunkEventKind.Trailer"/>: the field value, trimmed of OWS.</summary>
    public ReadOnlySpan<byte> TrailerValue => Kind == ChunkEventKind.Trailer ? _second : default;

    internal static ChunkEvent Header(long size, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> extensions) =>
        new(ChunkEventKind.ChunkHeader, size, signature, extensions);

    internal static ChunkEvent Payload(ReadOnlySpan<byte> data) => new(ChunkEventKind.Data, 0, data, default);

    internal static ChunkEvent Trailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => new(ChunkEventKind.Trailer, 0, name, value);

    internal static ChunkEvent Of(ChunkEventKind kind) => new(kind, 0, default, default);
}
