namespace Sluice.S3.Http;

/// <summary>What a chunked-body decoder step produced.</summary>
public enum ChunkEventKind : byte
{
    /// <summary>Nothing (need more data, or an error).</summary>
    None = 0,
    /// <summary>A chunk-size line: <see cref="ChunkEvent.ChunkSize"/> and, for aws-chunked, <see cref="ChunkEvent.Signature"/>.
    /// Size 0 is the last chunk; trailers (if any) and <see cref="Completed"/> follow.</summary>
    ChunkHeader,
    /// <summary>Chunk payload bytes: <see cref="ChunkEvent.Data"/> is the start of the input (zero copy).</summary>
    Data,
    /// <summary>The CRLF after a non-empty chunk's data: the chunk is complete (verify its signature now).</summary>
    ChunkEnd,
    /// <summary>One trailer field (e.g. x-amz-checksum-crc32, x-amz-trailer-signature).</summary>
    Trailer,
    /// <summary>The body ended; bytes after it (a pipelined request) were not consumed.</summary>
    Completed,
}
