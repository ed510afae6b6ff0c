namespace Sluice.S3.Http;

/// <summary>Result of a head parse: Complete with the bytes consumed, Incomplete, or Error with a reason.</summary>
public readonly record struct HttpParseResult(HttpParseStatus Status, int BytesConsumed, HttpParseError Error)
{
    /// <summary>Needs more input.</summary>
    public static HttpParseResult Incomplete => default;

    /// <summary>A complete head of <paramref name="bytesConsumed"/> bytes.</summary>
    public static HttpParseResult Complete(int bytesConsumed) => new(HttpParseStatus.Complete, bytesConsumed, HttpParseError.None);

    /// <summary>A malformed head.</summary>
    public static HttpParseResult Fail(HttpParseError error) => new(HttpParseStatus.Error, 0, error);

    /// <summary>True when the head parsed.</summary>
    public bool IsComplete => Status == HttpParseStatus.Complete;

    /// <summary>True when the head is malformed.</summary>
    public bool IsError => Status == HttpParseStatus.Error;
}
