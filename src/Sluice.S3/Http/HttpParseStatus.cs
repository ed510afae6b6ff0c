namespace Sluice.S3.Http;

/// <summary>Outcome of parsing a message head.</summary>
public enum HttpParseStatus : byte
{
    /// <summary>More bytes are needed; nothing was consumed and no callback was made.</summary>
    Incomplete = 0,
    /// <summary>The head parsed; <see cref="HttpParseResult.BytesConsumed"/> covers it including the blank line.</summary>
    Complete,
    /// <summary>The head is malformed or exceeds a limit; see <see cref="HttpParseResult.Error"/>.</summary>
    Error,
}
