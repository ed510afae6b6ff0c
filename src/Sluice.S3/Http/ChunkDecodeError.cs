namespace Sluice.S3.Http;

/// <summary>Why a chunked body was rejected.</summary>
public enum ChunkDecodeError : byte
{
    None = 0,
    /// <summary>The size is missing or not hexadecimal.</summary>
    InvalidChunkSize,
    /// <summary>The size does not fit in 63 bits.</summary>
    ChunkSizeOverflow,
    /// <summary>The size exceeds <see cref="ChunkedLimits.MaxChunkSize"/>.</summary>
    ChunkTooLarge,
    /// <summary>A size or trailer line exceeds <see cref="ChunkedLimits.MaxLineLength"/>.</summary>
    LineTooLong,
    /// <summary>A bare LF or CR: only CRLF ends a line.</summary>
    InvalidLineEnding,
    /// <summary>Malformed chunk extension (or any extension where aws-chunked allows none).</summary>
    InvalidChunkExtension,
    /// <summary>A signed aws-chunked body has a chunk without ";chunk-signature=".</summary>
    MissingChunkSignature,
    /// <summary>The chunk-signature is not 64 lowercase hex digits.</summary>
    InvalidChunkSignature,
    /// <summary>Chunk data is not followed by CRLF (size and data disagree).</summary>
    InvalidChunkTerminator,
    /// <summary>A trailer line is not "name:value" with a token name and a clean value.</summary>
    InvalidTrailer,
    /// <summary>More trailer fields than <see cref="ChunkedLimits.MaxTrailerCount"/>.</summary>
    TooManyTrailers,
    /// <summary>The trailer section exceeds <see cref="ChunkedLimits.MaxTrailerBytes"/>.</summary>
    TrailersTooLarge,
}
