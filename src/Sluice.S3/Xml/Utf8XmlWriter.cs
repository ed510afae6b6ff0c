using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Sluice.S3.Xml;

/// <summary>
/// A minimal forward-only XML writer that emits UTF-8 straight into an <see cref="IBufferWriter{T}"/>.
/// Element names are trusted UTF-8 literals; text is escaped exactly as S3 does. Call <see cref="Flush"/>
/// when done: bytes are committed to the output in chunks.
/// </summary>
/// <remarks>
/// Escaping: <c>&amp; &lt; &gt; " '</c> become <c>&amp;amp; &amp;lt; &amp;gt; &amp;quot; &amp;apos;</c> (S3
/// writes ETags as <c>&amp;quot;…&amp;quot;</c>). Characters XML 1.0 cannot carry (C0 controls other than tab
/// and line feed, U+FFFE, U+FFFF) are written as lowercase hexadecimal character references such as
/// <c>&amp;#x1;</c> or <c>&amp;#x1b;</c>, which is what S3 emits for such keys (github.com/aws/aws-sdk-php/issues/169,
/// github.com/basho/riak_cs/pull/1255); readers must accept them (they are not well-formed XML 1.0). Carriage
/// return is also written as <c>&amp;#xd;</c>: S3 sends it raw, which every conforming parser turns into a line
/// feed (github.com/boto/boto/issues/23), so the reference is what keeps such a key exact. Tab and line feed in
/// element content survive parsing and are written as they are. An unpaired surrogate cannot be encoded in
/// UTF-8, so no key that arrived as UTF-8 holds one; if a string still does, it is written as U+FFFD.
/// </remarks>
public ref struct Utf8XmlWriter
{
    /// <summary>Smallest chunk requested from the output, so small writes do not each call GetSpan.</summary>
    private const int MinChunkBytes = 4096;

    /// <summary>UTF-16 chars transcoded per step when URL-encoding (bounded stack use).</summary>
    private const int UrlChunkChars = 256;

    // Characters that cannot be copied as they are: markup, and what XML 1.0 cannot carry or would alter.
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "&<>\"'\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\uFFFE\uFFFF");

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _buffer;
    private int _position;

    /// <summary>Creates a writer appending to <paramref name="output"/>.</summary>
    public Utf8XmlWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _buffer = default;
        _position = 0;
    }

    /// <summary>Writes <c>&lt;?xml version="1.0" encoding="UTF-8"?&gt;</c> and a line feed, as S3 does.</summary>
    public void WriteDeclaration() => WriteRaw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8);

    /// <summary>Writes a root start tag carrying the S3 namespace.</summary>
    public void WriteRootStart(ReadOnlySpan<byte> name)
    {
        WriteRaw("<"u8);
        WriteRaw(name);
        WriteRaw(" xmlns=\""u8);
        WriteRaw(S3Xml.NamespaceUtf8);
        WriteRaw("\">"u8);
    }

    /// <summary>Writes <c>&lt;name&gt;</c>.</summary>
    public void WriteStartElement(ReadOnlySpan<byte> name)
    {
        Span<byte> span = Reserve(name.Length + 2);
        span[0] = (byte)'<';
        name.CopyTo(span[1..]);
        span[name.Length + 1] = (byte)'>';
        _position += name.Length + 2;
    }

    /// <summary>Writes <c>&lt;/name&gt;</c>.</summary>
    public void WriteEndElement(ReadOnlySpan<byte> name)
    {
        Span<byte> span = Reserve(name.Length + 3);
        span[0] = (byte)'<';
        span[1] = (byte)'/';
        name.CopyTo(span[2..]);
        span[name.Length + 2] = (byte)'>';
        _position += name.Length + 3;
    }

    /// <summary>Writes <c>&lt;name&gt;</c> for a name held as a string (ASCII XML names only).</summary>
    public void WriteStartElement(string name)
    {
        WriteRaw("<"u8);
        WriteAsciiName(name);
        WriteRaw(">"u8);
    }

    /// <summary>Writes <c>&lt;/name&gt;</c> for a name held as a string (ASCII XML names only).</summary>
    public void WriteEndElement(string name)
    {
        WriteRaw("</"u8);
        WriteAsciiName(name);
        WriteRaw(">"u8);
    }

    /// <summary>Writes <c>&lt;name&gt;text&lt;/name&gt;</c> with the text escaped.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, ReadOnlySpan<char> text)
    {
        WriteStartElement(name);
        WriteText(text);
        WriteEndElement(name);
    }

    /// <summary>Writes the element when <paramref name="text"/> is not null.</summary>
    public void WriteOptionalElement(ReadOnlySpan<byte> name, string? text)
    {
        if (text is not null)
        {
            WriteElement(name, text);
        }
    }

    /// <summary>Writes the element with the text URL-encoded when <paramref name="urlEncode"/> is set.</summary>
    public void WriteKeyElement(ReadOnlySpan<byte> name, ReadOnlySpan<char> text, bool urlEncode)
    {
        WriteStartElement(name);
        if (urlEncode)
        {
            WriteUrlEncodedText(text);
        }
        else
        {
            WriteText(text);
        }

        WriteEndElement(name);
    }

    /// <summary>Writes <c>&lt;name&gt;123&lt;/name&gt;</c>.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, long value)
    {
        WriteStartElement(name);
        Span<byte> span = Reserve(20);
        value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        _position += written;
        WriteEndElement(name);
    }

    /// <summary>Writes <c>&lt;name&gt;true&lt;/name&gt;</c> or <c>false</c>.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, bool value)
    {
        WriteStartElement(name);
        WriteRaw(value ? "true"u8 : "false"u8);
        WriteEndElement(name);
    }

    /// <summary>Writes the timestamp as <c>2009-10-12T17:50:30.000Z</c> (UTC, milliseconds).</summary>
    public void WriteElement(ReadOnlySpan<byte> name, DateTimeOffset value)
    {
        WriteStartElement(name);
        S3Timestamp.Format(value, Reserve(S3Timestamp.Length));
        _position += S3Timestamp.Length;
        WriteEndElement(name);
    }

    /// <summary>Writes already-encoded UTF-8 bytes as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= MinChunkBytes)
        {
            utf8.CopyTo(Reserve(utf8.Length));
            _position += utf8.Length;
            return;
        }

        Commit();
        _output.Write(utf8);
    }

    /// <summary>Writes text with XML escaping (see the type remarks for exactly which characters).</summary>
    public void WriteText(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            int special = text.IndexOfAny(Special);
            WriteUtf8(special < 0 ? text : text[..special]);
            if (special < 0)
            {
                return;
            }

            WriteEscape(text[special]);
            text = text[(special + 1)..];
        }
    }

    /// <summary>Writes text in S3's <c>encoding-type=url</c> form (see <see cref="S3UrlEncoding"/>).</summary>
    public void WriteUrlEncodedText(ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[UrlChunkChars * 3];
        while (!text.IsEmpty)
        {
            ReadOnlySpan<char> chunk = text.Length > UrlChunkChars ? text[..UrlChunkChars] : text;
            bool final = chunk.Length == text.Length;

            // A chunk ending in a high surrogate leaves it for the next step rather than breaking the pair.
            Utf8.FromUtf16(chunk, utf8, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: final);
            Span<byte> destination = Reserve(written * 3);
            _position += S3UrlEncoding.EncodeUtf8(utf8[..written], destination);
            text = text[read..];
        }
    }

    /// <summary>Commits everything written so far to the output.</summary>
    public void Flush() => Commit();

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // At most 3 bytes per UTF-16 char; ask for that, capped so one huge string does not demand one huge span.
            Span<byte> span = Reserve(Math.Min(text.Length * 3, MinChunkBytes));
            OperationStatus status = Utf8.FromUtf16(text, span, out int read, out int written, replaceInvalidSequences: true);
            _position += written;
            text = text[read..];
            if (status == OperationStatus.DestinationTooSmall && read == 0 && written == 0)
            {
                // Not even one scalar fitted (cannot happen with Reserve's minimum, but never spin).
                Commit();
                _buffer = _output.GetSpan(MinChunkBytes);
            }
        }
    }

    private void WriteEscape(char c)
    {
        switch (c)
        {
            case '&':
                WriteRaw("&amp;"u8);
                return;
            case '<':
                WriteRaw("&lt;"u8);
                return;
            case '>':
                WriteRaw("&gt;"u8);
                return;
            case '"':
                WriteRaw("&quot;"u8);
                return;
            case '\'':
                WriteRaw("&apos;"u8);
                return;
        }

        // &#x + up to 4 lowercase hex digits + ;
        Span<byte> span = Reserve(8);
        span[0] = (byte)'&';
        span[1] = (byte)'#';
        span[2] = (byte)'x';
        ((int)c).TryFormat(span[3..], out int digits, "x", CultureInfo.InvariantCulture);
        span[3 + digits] = (byte)';';
        _position += digits + 4;
    }

    private void WriteAsciiName(string name)
    {
        Span<byte> span = Reserve(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c >= 0x80 || !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"'{name}' is not a plain ASCII XML element name.", nameof(name));
            }

            span[i] = (byte)c;
        }

        _position += name.Length;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Commit();
            _buffer = _output.GetSpan(Math.Max(count, MinChunkBytes));
        }

        return _buffer[_position..];
    }

    private void Commit()
    {
        if (_position > 0)
        {
            _output.Advance(_position);
        }

        _buffer = default;
        _position = 0;
    }
}
