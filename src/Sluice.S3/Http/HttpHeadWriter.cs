using System.Globalization;

namespace Sluice.S3.Http;

/// <summary>
/// Writes a request or status line and header fields into a caller's span, without allocating. Every call is
/// all-or-nothing: on false nothing of that element was written and <see cref="Error"/> says why. Values are
/// validated, so a CR/LF smuggled into a header value (header injection) is refused rather than sent.
/// </summary>
public ref struct HttpHeadWriter
{
    /// <summary>Longest decimal long ("9223372036854775807").</summary>
    private const int MaxInt64Digits = 19;

    private readonly Span<byte> _destination;
    private int _written;

    /// <summary>Creates a writer over <paramref name="destination"/>.</summary>
    public HttpHeadWriter(Span<byte> destination)
    {
        _destination = destination;
        _written = 0;
        Error = HttpWriteError.None;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int BytesWritten => _written;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _destination[.._written];

    /// <summary>Why the last failed call failed.</summary>
    public HttpWriteError Error { get; private set; }

    /// <summary>Writes "METHOD target HTTP/1.x\r\n" for a known method.</summary>
    public bool TryWriteRequestLine(KnownMethod method, scoped ReadOnlySpan<byte> target, HttpProtocolVersion version = HttpProtocolVersion.Http11) =>
        TryWriteRequestLine(HttpHeadParser.GetMethodName(method), target, version);

    /// <summary>Writes "METHOD target HTTP/1.x\r\n"; the target must already be percent-encoded.</summary>
    public bool TryWriteRequestLine(scoped ReadOnlySpan<byte> method, scoped ReadOnlySpan<byte> target, HttpProtocolVersion version = HttpProtocolVersion.Http11)
    {
        if (!HttpChars.IsToken(method))
        {
            return Fail(HttpWriteError.InvalidMethod);
        }

        if (!HttpChars.IsValidTarget(target) || !(target[0] == '/' || target.SequenceEqual("*"u8) || target.IndexOf("://"u8) > 0))
        {
            return Fail(HttpWriteError.InvalidTarget);
        }

        int length = method.Length + 1 + target.Length + 1 + 8 + 2;
        if (!TryReserve(length, out Span<byte> d))
        {
            return false;
        }

        method.CopyTo(d);
        int p = method.Length;
        d[p++] = (byte)' ';
        target.CopyTo(d[p..]);
        p += target.Length;
        d[p++] = (byte)' ';
        WriteVersion(d[p..], version);
        HttpChars.CrLf.CopyTo(d[(p + 8)..]);
        return true;
    }

    /// <summary>Writes "HTTP/1.x code reason\r\n"; an empty reason uses the standard phrase.</summary>
    public bool TryWriteStatusLine(int statusCode, scoped ReadOnlySpan<byte> reason = default, HttpProtocolVersion version = HttpProtocolVersion.Http11)
    {
        if (statusCode is < 100 or > 999)
        {
            return Fail(HttpWriteError.InvalidStatusCode);
        }

        if (reason.IsEmpty)
        {
            reason = HttpReasonPhrases.Get(statusCode);
        }
        else if (!HttpChars.IsValidFieldValue(reason))
        {
            return Fail(HttpWriteError.InvalidHeaderValue);
        }

        if (!TryReserve(8 + 1 + 3 + 1 + reason.Length + 2, out Span<byte> d))
        {
            return false;
        }

        WriteVersion(d, version);
        d[8] = (byte)' ';
        d[9] = (byte)('0' + (statusCode / 100));
        d[10] = (byte)('0' + (statusCode / 10 % 10));
        d[11] = (byte)('0' + (statusCode % 10));
        d[12] = (byte)' ';
        reason.CopyTo(d[13..]);
        HttpChars.CrLf.CopyTo(d[(13 + reason.Length)..]);
        return true;
    }

    /// <summary>Writes a known header with its canonical name.</summary>
    public bool TryWriteHeader(KnownHeader header, scoped ReadOnlySpan<byte> value) => TryWriteHeader(KnownHeaders.GetName(header), value);

    /// <summary>Writes "name: value\r\n".</summary>
    public bool TryWriteHeader(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
    {
        if (!HttpChars.IsToken(name))
        {
            return Fail(HttpWriteError.InvalidHeaderName);
        }

        // field-value has no leading/trailing whitespace (RFC 9110 §5.5) and no CTLs: CR/LF would inject fields.
        if (!HttpChars.IsValidFieldValue(value)
            || (!value.IsEmpty && (HttpChars.IsWhitespace(value[0]) || HttpChars.IsWhitespace(value[^1]))))
        {
            return Fail(HttpWriteError.InvalidHeaderValue);
        }

        if (!TryReserve(name.Length + 2 + value.Length + 2, out Span<byte> d))
        {
            return false;
        }

        name.CopyTo(d);
        d[name.Length] = (byte)':';
        d[name.Length + 1] = (byte)' ';
        value.CopyTo(d[(name.Length + 2)..]);
        HttpChars.CrLf.CopyTo(d[(name.Length + 2 + value.Length)..]);
        return true;
    }

    /// <summary>Writes a header whose value is a non-negative integer.</summary>
    public bool TryWriteHeader(KnownHeader header, long value)
    {
        if (value < 0)
        {
            return Fail(HttpWriteError.InvalidHeaderValue);
        }

        Span<byte> digits = stackalloc byte[MaxInt64Digits];
        value.TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
        return TryWriteHeader(header, digits[..n]);
    }

    /// <summary>Writes "Content-Length: n".</summary>
    public bool TryWriteContentLength(long length) => TryWriteHeader(KnownHeader.ContentLength, length);

    /// <summary>Writes a header whose value is an IMF-fixdate (Date, Last-Modified, Expires, If-Modified-Since, ...).</summary>
    public bool TryWriteHeader(KnownHeader header, DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[HttpDate.ImfFixdateLength];
        HttpDate.TryFormatImfFixdate(value, text, out _);
        return TryWriteHeader(header, text);
    }

    /// <summary>Writes the blank line that ends the head.</summary>
    public bool TryWriteEnd()
    {
        if (!TryReserve(2, out Span<byte> d))
        {
            return false;
        }

        HttpChars.CrLf.CopyTo(d);
        return true;
    }

    private bool TryReserve(int length, out Span<byte> span)
    {
        if (_destination.Length - _written < length)
        {
            span = default;
            return Fail(HttpWriteError.DestinationTooSmall);
        }

        span = _destination.Slice(_written, length);
        _written += length;
        Error = HttpWriteError.None;
        return true;
    }

    private bool Fail(HttpWriteError error)
    {
        Error = error;
        return false;
    }

    private static void WriteVersion(Span<byte> d, HttpProtocolVersion version) =>
        (version == HttpProtocolVersion.Http10 ? "HTTP/1.0"u8 : "HTTP/1.1"u8).CopyTo(d);
}
