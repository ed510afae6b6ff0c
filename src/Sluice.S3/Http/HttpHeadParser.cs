using System.Text;

namespace Sluice.S3.Http;

/// <summary>
/// Stateless HTTP/1.1 head parser: spans in, handler callbacks out, no allocation. The handler is only called once a
/// complete head (ending in CRLF CRLF) is in the buffer, so an Incomplete result never leaves a half-fed handler;
/// callers simply retry with more bytes. Strict by design (request smuggling defence): CRLF only, no obs-fold,
/// no whitespace before the colon, token names, no CTLs in values.
/// </summary>
public static class HttpHeadParser
{
    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    /// <summary>Parses a request head with the default limits.</summary>
    public static HttpParseResult ParseRequestHead<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler)
        where THandler : IHttpRequestHeadHandler, allows ref struct
        => ParseRequestHead(buffer, ref handler, HttpLimits.Default);

    /// <summary>Parses a request head at the start of <paramref name="buffer"/>. On Complete, BytesConsumed covers the
    /// head including its blank line (and any empty lines before the request line, RFC 9112 §2.2); the body follows.</summary>
    public static HttpParseResult ParseRequestHead<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler, in HttpLimits limits)
        where THandler : IHttpRequestHeadHandler, allows ref struct
    {
        int maxHead = limits.MaxHeadBytes;
        ReadOnlySpan<byte> window = buffer.Length > maxHead ? buffer[..maxHead] : buffer;

        // Robustness (RFC 9112 §2.2): ignore empty lines a client left before the request line.
        int start = 0;
        while (window.Length - start >= 2 && window[start] == '\r' && window[start + 1] == '\n')
        {
            start += 2;
        }

        int end = window[start..].IndexOf(HeadTerminator);
        if (end < 0)
        {
            // Validate what is there so garbage fails now instead of after MaxHeadBytes of waiting.
            NullHandler probe = default;
            HttpParseResult partial = ParseRequestCore(window, start, ref probe, limits);
            if (partial.IsError)
            {
                return partial;
            }

            return buffer.Length >= maxHead ? HttpParseResult.Fail(HttpParseError.HeadTooLarge) : HttpParseResult.Incomplete;
        }

        return ParseRequestCore(window[..(start + end + HeadTerminator.Length)], start, ref handler, limits);
    }

    /// <summary>Parses a response head with the default limits.</summary>
    public static HttpParseResult ParseResponseHead<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler)
        where THandler : IHttpResponseHeadHandler, allows ref struct
        => ParseResponseHead(buffer, ref handler, HttpLimits.Default);

    /// <summary>Parses a response head. A 1xx interim response (e.g. 100 Continue) is a complete head of its own:
    /// skip BytesConsumed and parse again for the final response.</summary>
    public static HttpParseResult ParseResponseHead<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler, in HttpLimits limits)
        where THandler : IHttpResponseHeadHandler, allows ref struct
    {
        int maxHead = limits.MaxHeadBytes;
        ReadOnlySpan<byte> window = buffer.Length > maxHead ? buffer[..maxHead] : buffer;
        int end = window.IndexOf(HeadTerminator);
        if (end < 0)
        {
            NullHandler probe = default;
            HttpParseResult partial = ParseResponseCore(window, ref probe, limits);
            if (partial.IsError)
            {
                return partial;
            }

            return buffer.Length >= maxHead ? HttpParseResult.Fail(HttpParseError.HeadTooLarge) : HttpParseResult.Incomplete;
        }

        return ParseResponseCore(window[..(end + HeadTerminator.Length)], ref handler, limits);
    }

    /// <summary>True for 1xx interim responses, which precede the final response on the same request.</summary>
    public static bool IsInterimStatus(int statusCode) => statusCode is >= 100 and < 200;

    private static HttpParseResult ParseRequestCore<THandler>(ReadOnlySpan<byte> head, int pos, ref THandler handler, in HttpLimits limits)
        where THandler : IHttpRequestHeadHandler, allows ref struct
    {
        LineStatus status = ReadLine(head[pos..], limits.MaxRequestLineLength, HttpParseError.RequestLineTooLong,
            out ReadOnlySpan<byte> line, out HttpParseError error);
        if (status != LineStatus.Found)
        {
            return status == LineStatus.Error ? HttpParseResult.Fail(error) : HttpParseResult.Incomplete;
        }

        pos += line.Length + 2;
        error = ParseRequestLine(line, ref handler);
        if (error != HttpParseError.None)
        {
            return HttpParseResult.Fail(error);
        }

        return ParseHeaders(head, pos, ref handler, limits);
    }

    private static HttpParseResult ParseResponseCore<THandler>(ReadOnlySpan<byte> head, ref THandler handler, in HttpLimits limits)
        where THandler : IHttpResponseHeadHandler, allows ref struct
    {
        LineStatus status = ReadLine(head, limits.MaxHeaderLineLength, HttpParseError.HeaderLineTooLong,
            out ReadOnlySpan<byte> line, out HttpParseError error);
        if (status != LineStatus.Found)
        {
            return status == LineStatus.Error ? HttpParseResult.Fail(error) : HttpParseResult.Incomplete;
        }

        error = ParseStatusLine(line, ref handler);
        if (error != HttpParseError.None)
        {
            return HttpParseResult.Fail(error);
        }

        return ParseHeaders(head, line.Length + 2, ref handler, limits);
    }

    private static HttpParseError ParseRequestLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler)
        where THandler : IHttpRequestHeadHandler, allows ref struct
    {
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 < 0)
        {
            return LineError(line, HttpParseError.InvalidRequestLine);
        }

        ReadOnlySpan<byte> methodName = line[..sp1];
        if (!HttpChars.IsToken(methodName))
        {
            return LineError(line, HttpParseError.InvalidMethod);
        }

        ReadOnlySpan<byte> rest = line[(sp1 + 1)..];
        int sp2 = rest.IndexOf((byte)' ');
        if (sp2 < 0)
        {
            return LineError(line, HttpParseError.InvalidRequestLine);
        }

        ReadOnlySpan<byte> target = rest[..sp2];
        HttpParseError error = ParseVersion(rest[(sp2 + 1)..], out HttpProtocolVersion version);
        if (error != HttpParseError.None)
        {
            return LineError(line, error);
        }

        KnownMethod method = LookupMethod(methodName);
        if (!HttpChars.IsValidTarget(target))
        {
            return LineError(line, HttpParseError.InvalidRequestTarget);
        }

        HttpTargetForm form;
        ReadOnlySpan<byte> authority = default;
        ReadOnlySpan<byte> pathAndQuery;
        if (target[0] == '/')
        {
            form = HttpTargetForm.Origin;
            pathAndQuery = target;
        }
        else if (target.Length == 1 && target[0] == '*')
        {
            if (method != KnownMethod.Options)
            {
                return HttpParseError.InvalidRequestTarget;
            }

            form = HttpTargetForm.Asterisk;
            pathAndQuery = target;
        }
        else if (TrySplitAbsolute(target, out authority, out pathAndQuery))
        {
            form = HttpTargetForm.Absolute;
        }
        else
        {
            return HttpParseError.InvalidRequestTarget;
        }

        int q = pathAndQuery.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        ReadOnlySpan<byte> query = q < 0 ? default : pathAndQuery[(q + 1)..];
        handler.OnRequestLine(new HttpRequestLine(method, methodName, target, form, authority, path, query, version));
        return HttpParseError.None;
    }

    // absolute-form: scheme "://" authority [path-abempty] ["?" query]; only http and https make sense here.
    private static bool TrySplitAbsolute(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> pathAndQuery)
    {
        authority = default;
        pathAndQuery = default;
        int schemeEnd;
        if (target.Length > 7 && Ascii.EqualsIgnoreCase(target[..7], "http://"u8))
        {
            schemeEnd = 7;
        }
        else if (target.Length > 8 && Ascii.EqualsIgnoreCase(target[..8], "https://"u8))
        {
            schemeEnd = 8;
        }
        else
        {
            return false;
        }

        ReadOnlySpan<byte> afterScheme = target[schemeEnd..];
        int slash = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        authority = slash < 0 ? afterScheme : afterScheme[..slash];
        pathAndQuery = slash < 0 ? default : afterScheme[slash..];
        return !authority.IsEmpty && !authority.Contains((byte)'@'); // userinfo is deprecated and a phishing vector
    }

    private static HttpParseError ParseStatusLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler)
        where THandler : IHttpResponseHeadHandler, allows ref struct
    {
        // "HTTP/1.1 200 OK": version, SP, three digits, then SP reason (tolerate its absence when empty).
        if (line.Length < 12 || line[8] != ' ')
        {
            return LineError(line, HttpParseError.InvalidStatusLine);
        }

        HttpParseError error = ParseVersion(line[..8], out HttpProtocolVersion version);
        if (error != HttpParseError.None)
        {
            return LineError(line, error);
        }

        int d0 = line[9] - '0', d1 = line[10] - '0', d2 = line[11] - '0';
        if ((uint)d0 > 9 || (uint)d1 > 9 || (uint)d2 > 9 || d0 == 0)
        {
            return LineError(line, HttpParseError.InvalidStatusCode);
        }

        ReadOnlySpan<byte> reason = default;
        if (line.Length > 12)
        {
            if (line[12] != ' ')
            {
                return LineError(line, HttpParseError.InvalidStatusLine);
            }

            reason = line[13..];
            if (!HttpChars.IsValidFieldValue(reason))
            {
                return LineError(line, HttpParseError.InvalidStatusLine);
            }
        }

        handler.OnStatusLine(version, (d0 * 100) + (d1 * 10) + d2, reason);
        return HttpParseError.None;
    }

    private static HttpParseResult ParseHeaders<THandler>(ReadOnlySpan<byte> head, int pos, ref THandler handler, in HttpLimits limits)
        where THandler : IHttpHeaderHandler, allows ref struct
    {
        int maxLine = limits.MaxHeaderLineLength;
        int maxCount = limits.MaxHeaderCount;
        int count = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = head[pos..];
            if (rest.IsEmpty)
            {
                return HttpParseResult.Incomplete;
            }

            byte first = rest[0];
            if (first == '\r')
            {
                if (rest.Length < 2)
                {
                    return HttpParseResult.Incomplete;
                }

                if (rest[1] != '\n')
                {
                    return HttpParseResult.Fail(HttpParseError.InvalidLineEnding);
                }

                handler.OnHeadersComplete();
                return HttpParseResult.Complete(pos + 2);
            }

            if (HttpChars.IsWhitespace(first))
            {
                return HttpParseResult.Fail(HttpParseError.ObsoleteLineFolding);
            }

            LineStatus status = ReadLine(rest, maxLine, HttpParseError.HeaderLineTooLong, out ReadOnlySpan<byte> line, out HttpParseError error);
            if (status != LineStatus.Found)
            {
                return status == LineStatus.Error ? HttpParseResult.Fail(error) : HttpParseResult.Incomplete;
            }

            if (++count > maxCount)
            {
                return HttpParseResult.Fail(HttpParseError.TooManyHeaders);
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return HttpParseResult.Fail(LineError(line, HttpParseError.InvalidHeaderName));
            }

            ReadOnlySpan<byte> name = line[..colon];
            if (!HttpChars.IsToken(name))
            {
                return HttpParseResult.Fail(LineError(line, HttpParseError.InvalidHeaderName));
            }

            ReadOnlySpan<byte> value = HttpChars.TrimOws(line[(colon + 1)..]);
            if (!HttpChars.IsValidFieldValue(value))
            {
                return HttpParseResult.Fail(LineError(line, HttpParseError.InvalidHeaderValue));
            }

            handler.OnHeader(KnownHeaders.Lookup(name), name, value);
            pos += line.Length + 2;
        }
    }

    private enum LineStatus
    {
        Incomplete,
        Found,
        Error,
    }

    // Finds the next CRLF-terminated line of at most maxLength bytes (CRLF excluded). Only a CRLF ends a line:
    // a bare LF is an error, never a line end, so no two parsers can disagree on where the head stops.
    private static LineStatus ReadLine(ReadOnlySpan<byte> rest, int maxLength, HttpParseError tooLong,
        out ReadOnlySpan<byte> line, out HttpParseError error)
    {
        line = default;
        error = HttpParseError.None;
        int searchLength = maxLength + 2 < rest.Length ? maxLength + 2 : rest.Length;
        int lf = rest[..searchLength].IndexOf((byte)'\n');
        if (lf < 0)
        {
            // The line is already at least this long (a trailing CR may still become its CRLF).
            if (rest.Length - (rest.Length > 0 && rest[^1] == '\r' ? 1 : 0) > maxLength)
            {
                error = tooLong;
                return LineStatus.Error;
            }

            return LineStatus.Incomplete;
        }

        if (lf == 0 || rest[lf - 1] != '\r')
        {
            error = HttpParseError.InvalidLineEnding;
            return LineStatus.Error;
        }

        line = rest[..(lf - 1)];
        return LineStatus.Found;
    }

    // A stray CR inside a line is a line-ending problem, whatever else the line got wrong.
    private static HttpParseError LineError(ReadOnlySpan<byte> line, HttpParseError error) =>
        line.Contains((byte)'\r') ? HttpParseError.InvalidLineEnding : error;

    private static HttpParseError ParseVersion(ReadOnlySpan<byte> text, out HttpProtocolVersion version)
    {
        version = HttpProtocolVersion.None;
        if (text.Length != 8 || !text.StartsWith("HTTP/"u8) || text[6] != '.' || !char.IsAsciiDigit((char)text[5])
            || !char.IsAsciiDigit((char)text[7]))
        {
            return HttpParseError.InvalidVersion;
        }

        if (text[5] != '1' || (text[7] != '0' && text[7] != '1'))
        {
            return HttpParseError.UnsupportedVersion;
        }

        version = text[7] == '1' ? HttpProtocolVersion.Http11 : HttpProtocolVersion.Http10;
        return HttpParseError.None;
    }

    /// <summary>Maps a method token (case-sensitive, RFC 9110 §9.1) to <see cref="KnownMethod"/>.</summary>
    public static KnownMethod LookupMethod(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("GET"u8) => KnownMethod.Get,
        3 when name.SequenceEqual("PUT"u8) => KnownMethod.Put,
        4 when name.SequenceEqual("HEAD"u8) => KnownMethod.Head,
        4 when name.SequenceEqual("POST"u8) => KnownMethod.Post,
        5 when name.SequenceEqual("PATCH"u8) => KnownMethod.Patch,
        5 when name.SequenceEqual("TRACE"u8) => KnownMethod.Trace,
        6 when name.SequenceEqual("DELETE"u8) => KnownMethod.Delete,
        7 when name.SequenceEqual("OPTIONS"u8) => KnownMethod.Options,
        7 when name.SequenceEqual("CONNECT"u8) => KnownMethod.Connect,
        _ => KnownMethod.Unknown,
    };

    /// <summary>The method token for a known method (empty for Unknown).</summary>
    public static ReadOnlySpan<byte> GetMethodName(KnownMethod method) => method switch
    {
        KnownMethod.Get => "GET"u8,
        KnownMethod.Put => "PUT"u8,
        KnownMethod.Post => "POST"u8,
        KnownMethod.Delete => "DELETE"u8,
        KnownMethod.Head => "HEAD"u8,
        KnownMethod.Options => "OPTIONS"u8,
        KnownMethod.Patch => "PATCH"u8,
        KnownMethod.Trace => "TRACE"u8,
        KnownMethod.Connect => "CONNECT"u8,
        _ => default,
    };

    // Validation-only handler for incomplete heads.
    private struct NullHandler : IHttpRequestHeadHandler, IHttpResponseHeadHandler
    {
        public readonly void OnRequestLine(in HttpRequestLine line)
        {
        }

        public readonly void OnStatusLine(HttpProtocolVersion version, int statusCode, ReadOnlySpan<byte> reason)
        {
        }

        public readonly void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
        }

        public readonly void OnHeadersComplete()
        {
        }
    }
}
