namespace Sluice.S3.Xml;

/// <summary>Constants shared by the S3 XML bodies: the document namespace and the limits readers enforce.</summary>
public static class S3Xml
{
    /// <summary>The namespace S3 puts on the root element of every body except <c>Error</c>.</summary>
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>DeleteObjects accepts at most this many <c>Object</c> entries (AWS DeleteObjects reference).</summary>
    public const int MaxDeleteObjects = 1000;

    /// <summary>A multipart upload has at most this many parts (AWS multipart upload limits).</summary>
    public const int MaxCompleteParts = 10000;

    /// <summary>
    /// Elements nested deeper than this are refused. The deepest S3 body (ListParts: root/Part/Checksum) is
    /// depth 3; the slack tolerates unknown extensions without letting hostile nesting through.
    /// </summary>
    public const int MaxDepth = 16;

    /// <summary>
    /// Largest document, in characters, a reader accepts. A full listing of 1000 keys of 1024 bytes, every
    /// byte escaped as a six-character reference, stays under it; anything bigger is not a real S3 body.
    /// </summary>
    public const long MaxDocumentCharacters = 16L * 1024 * 1024;

    internal static ReadOnlySpan<byte> NamespaceUtf8 => "http://s3.amazonaws.com/doc/2006-03-01/"u8;

    /// <summary>The value of <c>encoding-type</c> / <c>EncodingType</c> that asks for URL-encoded keys.</summary>
    public const string UrlEncodingType = "url";

    internal static bool IsUrl(string? encodingType) =>
        encodingType is not null && encodingType.Equals(UrlEncodingType, StringComparison.OrdinalIgnoreCase);
}
