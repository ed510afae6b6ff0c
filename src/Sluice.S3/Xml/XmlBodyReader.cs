using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml;

namespace Sluice.S3.Xml;

/// <summary>
/// Pull reader over one S3 XML body with hostile-input settings: no DTD (so no entity expansion or external
/// entities), no resolver, a document size cap and a nesting cap. Element matching is by local name, so bodies
/// with or without the S3 namespace are accepted. Every failure, from XmlReader or from the schema checks here,
/// becomes a failed <see cref="XmlReadResult{T}"/>; nothing escapes <see cref="Read{T}"/>.
/// </summary>
internal sealed class XmlBodyReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        // S3 writes characters XML 1.0 cannot carry as references (&#x1;); accept them back.
        CheckCharacters = false,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        // Whitespace-only text can be a key (" "); it must not be dropped.
        IgnoreWhitespace = false,
        MaxCharactersInDocument = S3Xml.MaxDocumentCharacters,
        ConformanceLevel = ConformanceLevel.Document,
        CloseInput = true,
    };

    private readonly XmlReader _reader;

    private XmlBodyReader(XmlReader reader) => _reader = reader;

    /// <summary>
    /// Reads a document whose root element is <paramref name="rootName"/>; <paramref name="parse"/> is called
    /// positioned on the root start element and must consume the root (through <see cref="Children"/> or
    /// <see cref="ReadText"/>).
    /// </summary>
    public static XmlReadResult<T> Read<T>(ReadOnlyMemory<byte> body, string rootName, Func<XmlBodyReader, T> parse)
        where T : class
    {
        if (body.IsEmpty)
        {
            return new XmlReadResult<T>(null, "empty document");
        }

        try
        {
            using Stream stream = MemoryMarshal.TryGetArray(body, out ArraySegment<byte> segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(body.ToArray(), writable: false);
            using var xml = XmlReader.Create(stream, Settings);
            var reader = new XmlBodyReader(xml);

            if (xml.MoveToContent() != XmlNodeType.Element)
            {
                return new XmlReadResult<T>(null, "no root element");
            }

            if (xml.LocalName != rootName)
            {
                return new XmlReadResult<T>(null, $"root element is <{xml.LocalName}>, expected <{rootName}>");
            }

            T value = parse(reader);

            // Nothing but whitespace, comments or PIs may follow the root; XmlReader enforces a single root.
            while (xml.Read())
            {
                if (xml.NodeType is not (XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace))
                {
                    return new XmlReadResult<T>(null, $"unexpected {xml.NodeType} after the root element");
                }
            }

            return new XmlReadResult<T>(value, null);
        }
        catch (XmlException e)
        {
            return new XmlReadResult<T>(null, e.Message);
        }
        catch (MalformedException e)
        {
            return new XmlReadResult<T>(null, e.Message);
        }
    }

    /// <summary>Local name of the current element.</summary>
    public string Name => _reader.LocalName;

    /// <summary>The current element's attribute <paramref name="localName"/> in <paramref name="ns"/> (e.g. a Grantee's
    /// <c>xsi:type</c>), or null.</summary>
    public string? Attribute(string localName, string ns) => _reader.GetAttribute(localName, ns);

    /// <summary>
    /// Iterates the child elements of the current element. Each step leaves the reader on a child start tag;
    /// the loop body must consume it (read its text, iterate its children, or <see cref="Skip"/>).
    /// </summary>
    public ChildEnumerator Children()
    {
        if (_reader.NodeType != XmlNodeType.Element)
        {
            throw new MalformedException("expected an element");
        }

        return new ChildEnumerator(this, _reader.Depth, _reader.IsEmptyElement);
    }

    /// <summary>Text content of the current element (character references decoded); fails on child elements.</summary>
    public string ReadText() =>
        ReadTextCore(skipStructured: false) ?? throw new MalformedException("element content where text was expected");

    /// <summary>Text content of the current element, or null (element skipped) when it holds child elements.</summary>
    public string? ReadTextOrSkip() => ReadTextCore(skipStructured: true);

    private string? ReadTextCore(bool skipStructured)
    {
        if (_reader.IsEmptyElement)
        {
            return string.Empty;
        }

        int depth = _reader.Depth;

        string? first = null;
        StringBuilder? more = null;
        while (_reader.Read())
        {
            switch (_reader.NodeType)
            {
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    if (first is null)
                    {
                        first = _reader.Value;
                    }
                    else
                    {
                        (more ??= new StringBuilder(first)).Append(_reader.Value);
                    }

                    break;
                case XmlNodeType.EndElement:
                    return more?.ToString() ?? first ?? string.Empty;
                case XmlNodeType.Element when skipStructured:
                    SkipTo(depth);
                    return null;
                default:
                    throw new MalformedException($"<{_reader.LocalName}> inside a text element");
            }
        }

        throw new MalformedException("document ends inside an element");
    }

    /// <summary>Text content that is a key: it must be a well-formed UTF-16 string (no lone surrogates).</summary>
    public string ReadKey()
    {
        string text = ReadText();
        if (!IsWellFormed(text))
        {
            throw new MalformedException("key holds an unpaired surrogate");
        }

        return text;
    }

    public int ReadInt32()
    {
        string text = ReadText();
        return int.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new MalformedException($"'{text}' is not an integer");
    }

    public long ReadInt64()
    {
        string text = ReadText();
        return long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new MalformedException($"'{text}' is not an integer");
    }

    public bool ReadBoolean()
    {
        ReadOnlySpan<char> text = ReadText().AsSpan().Trim();
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new MalformedException($"'{text}' is not a boolean");
    }

    public DateTimeOffset ReadTimestamp()
    {
        string text = ReadText();
        return S3Timestamp.TryParse(text, out DateTimeOffset value)
            ? value
            : throw new MalformedException($"'{text}' is not an ISO-8601 timestamp");
    }

    /// <summary>Skips the current element and everything in it, refusing nesting beyond <see cref="S3Xml.MaxDepth"/>.</summary>
    public void Skip()
    {
        if (_reader.IsEmptyElement)
        {
            return;
        }

        SkipTo(_reader.Depth);
    }

    // Reads until the end tag of the element at depth.
    private void SkipTo(int depth)
    {
        if (_reader.Depth > S3Xml.MaxDepth)
        {
            throw new MalformedException("elements nested too deeply");
        }

        while (_reader.Read())
        {
            if (_reader.Depth > S3Xml.MaxDepth)
            {
                throw new MalformedException("elements nested too deeply");
            }

            if (_reader.NodeType == XmlNodeType.EndElement && _reader.Depth == depth)
            {
                return;
            }
        }

        throw new MalformedException("document ends inside an element");
    }

    /// <summary>Refuses the document with <paramref name="detail"/>.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Fail(string detail) => throw new MalformedException(detail);

    /// <summary>Decodes a field of a response that declared <c>EncodingType=url</c>.</summary>
    public static string UrlDecode(string value) =>
        S3UrlEncoding.TryDecode(value, out string decoded) && IsWellFormed(decoded)
            ? decoded
            : throw new MalformedException("URL-encoded field is not valid UTF-8");

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public static string? UrlDecodeOptional(string? value) => value is null ? null : UrlDecode(value);

    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private bool MoveToChild(int parentDepth)
    {
        while (_reader.Read())
        {
            switch (_reader.NodeType)
            {
                case XmlNodeType.Element when _reader.Depth == parentDepth + 1:
                    if (_reader.Depth > S3Xml.MaxDepth)
                    {
                        throw new MalformedException("elements nested too deeply");
                    }

                    return true;
                case XmlNodeType.EndElement when _reader.Depth == parentDepth:
                    return false;
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    break;
                default:
                    throw new MalformedException($"unexpected {_reader.NodeType} in <{_reader.LocalName}>");
            }
        }

        throw new MalformedException("document ends inside an element");
    }

    /// <summary>Enumerates child elements (see <see cref="Children"/>).</summary>
    public struct ChildEnumerator
    {
        private readonly XmlBodyReader _owner;
        private readonly int _depth;
        private bool _done;

        internal ChildEnumerator(XmlBodyReader owner, int depth, bool empty)
        {
            _owner = owner;
            _depth = depth;
            _done = empty;
        }

        public readonly ChildEnumerator GetEnumerator() => this;

        public readonly string Current => _owner.Name;

        public bool MoveNext()
        {
            if (_done)
            {
                return false;
            }

            _done = !_owner.MoveToChild(_depth);
            return !_done;
        }
    }

    private sealed class MalformedException(string message) : Exception(message);
}
