using System.Buffers;
using System.Text;
using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.Server.Handlers;
using Sluice.Server.Service;

namespace Sluice.Server.Post;

/// <summary>
/// Reads a <c>multipart/form-data</c> body (RFC 7578) as it streams, in bounded memory: <see cref="NextPartAsync"/>
/// gives each part's name, file name and content type; <see cref="ReadFieldAsync"/> reads a small field whole, up to a
/// cap; while on a file part the reader itself is an <see cref="IBodySource"/> that hands out the part's bytes and
/// returns 0 at its closing delimiter, so an upload streams to the store without ever being held whole. The delimiter
/// (<c>CRLF--boundary</c>) is searched in one fixed buffer, keeping back the bytes that could start a delimiter split
/// across two reads. Malformed framing is MalformedPOSTRequest.
/// </summary>
internal sealed class MultipartFormReader : IBodySource, IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int MaxPartHeaderBytes = 8 * 1024;

    private readonly IBodySource _body;
    private readonly byte[] _delimiter; // CRLF "--" boundary
    private byte[] _buffer;
    private int _start, _end;
    private bool _eof, _inPart, _finished, _partEnded;

    public MultipartFormReader(IBodySource body, string boundary)
    {
        _body = body;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>
    /// The boundary of a <c>multipart/form-data</c> Content-Type, or null when the type is another or has no valid
    /// boundary (1 to 70 characters, RFC 2046).
    /// </summary>
    public static string? BoundaryOf(string? contentType)
    {
        if (contentType == null) return null;
        var parts = contentType.Split(';');
        if (!parts[0].Trim().Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (string p in parts.Skip(1))
        {
            int eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !p[..eq].Trim().Equals("boundary", StringComparison.OrdinalIgnoreCase)) continue;
            string value = p[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            return value.Length is >= 1 and <= 70 && value.All(c => c is > ' ' and < (char)127 or ' ') ? value : null;
        }
        return null;
    }

    /// <summary>Most bytes the current part may have: past it, reading is EntityTooLarge (content-length-range, 5 GiB).</summary>
    public long PartLimit { get; set; } = long.MaxValue;

    /// <summary>Bytes of the current part handed out so far.</summary>
    public long PartLength { get; private set; }

    /// <summary>Bytes of the body consumed so far that belong to parts before the current one (fields' framing and values).</summary>
    public long Consumed { get; private set; }

    /// <summary>
    /// Moves to the next part (skipping what is left of the current one): its header block parsed, or null after the
    /// closing delimiter.
    /// </summary>
    public async ValueTask<FormPart?> NextPartAsync()
    {
        if (_finished) return null;
        if (_inPart)
        {
            byte[] skip = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try { while (await ReadAsync(skip) > 0) { } }
            finally { ArrayPool<byte>.Shared.Return(skip); }
        }
        else if (!_partEnded)
        {
            // The first delimiter: the body may open with it directly (no leading CRLF) or after a preamble.
            await FindFirstDelimiterAsync();
        }
        _partEnded = false;
        // After a delimiter: "--" closes the body; otherwise optional padding then CRLF and the part's headers.
        if (!await EnsureAsync(2)) throw Malformed();
        if (_buffer[_start] == '-' && _buffer[_start + 1] == '-')
        {
            _finished = true;
            return null;
        }
        int lineEnd = await IndexOfAsync("\r\n"u8.ToArray(), 256);
        if (lineEnd < 0 || _buffer.AsSpan(_start, lineEnd).IndexOfAnyExcept((byte)' ', (byte)'\t') >= 0) throw Malformed();
        Advance(lineEnd + 2);
        // A part without header lines cannot name its field.
        if (!await EnsureAsync(2) || _buffer.AsSpan(_start, 2).SequenceEqual("\r\n"u8)) throw Malformed();
        int headerEnd = await IndexOfAsync("\r\n\r\n"u8.ToArray(), MaxPartHeaderBytes);
        if (headerEnd < 0) throw Malformed();
        var part = ParseHeaders(Encoding.UTF8.GetString(_buffer, _start, headerEnd));
        Advance(headerEnd + 4);
        _inPart = true;
        PartLength = 0;
        return part;
    }

    /// <summary>Reads the current part whole as text; more than <paramref name="max"/> bytes is <paramref name="tooLarge"/>.</summary>
    public async ValueTask<string> ReadFieldAsync(int max, Func<S3RequestException> tooLarge)
    {
        var value = new ArrayBufferWriter<byte>(256);
        while (true)
        {
            var memory = value.GetMemory(4096);
            int n = await ReadAsync(memory);
            if (n == 0) break;
            value.Advance(n);
            if (value.WrittenCount > max) throw tooLarge();
        }
        return Encoding.UTF8.GetString(value.WrittenSpan);
    }

    /// <summary>Reads the current part's bytes; 0 at its closing delimiter.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (!_inPart || destination.IsEmpty) return 0;
        while (true)
        {
            var data = _buffer.AsSpan(_start, _end - _start);
            int at = data.IndexOf(_delimiter);
            int available = at >= 0 ? at : Math.Max(0, data.Length - (_delimiter.Length - 1));
            if (at < 0 && _eof) throw Malformed(); // the body ended inside a part
            if (available > 0)
            {
                int n = Math.Min(available, destination.Length);
                data[..n].CopyTo(destination.Span);
                Advance(n);
                PartLength += n;
                if (PartLength > PartLimit) throw PostPolicy.TooLarge(PartLength, PartLimit);
                return n;
            }
            if (at == 0)
            {
                Advance(_delimiter.Length);
                _inPart = false;
                _partEnded = true;
                return 0;
            }
            await FillAsync(cancellationToken);
        }
    }

    public OwnerAwaitable ResumeOnOwner() => _body.ResumeOnOwner();

    /// <summary>Reads the rest of the body (after the closing delimiter, or fields after the file, which S3 ignores),
    /// at most <paramref name="max"/> bytes; false when more remains.</summary>
    public async ValueTask<bool> DrainAsync(long max)
    {
        long drained = 0;
        _start = _end = 0;
        while (!_eof)
        {
            int n = await _body.ReadAsync(_buffer);
            if (n == 0) return true;
            drained += n;
            if (drained > max) return false;
        }
        return true;
    }

    private async ValueTask FindFirstDelimiterAsync()
    {
        // "--boundary" at the very start (no CRLF before it), else CRLF--boundary after a preamble.
        var open = _delimiter.AsMemory(2);
        if (await EnsureAsync(open.Length) && _buffer.AsSpan(_start, open.Length).SequenceEqual(open.Span))
        {
            Advance(open.Length);
            return;
        }
        while (true)
        {
            var data = _buffer.AsSpan(_start, _end - _start);
            int at = data.IndexOf(_delimiter);
            if (at >= 0)
            {
                Advance(at + _delimiter.Length);
                return;
            }
            if (_eof || Consumed > MaxPartHeaderBytes) throw Malformed();
            Advance(Math.Max(0, data.Length - (_delimiter.Length - 1)));
            await FillAsync(default);
        }
    }

    /// <summary>Index of <paramref name="needle"/> from the buffer's start, reading more as needed up to
    /// <paramref name="limit"/> bytes; -1 past the limit or at the end of the body.</summary>
    private async ValueTask<int> IndexOfAsync(ReadOnlyMemory<byte> needle, int limit)
    {
        while (true)
        {
            var data = _buffer.AsSpan(_start, _end - _start);
            int at = data.IndexOf(needle.Span);
            if (at >= 0) return at;
            if (data.Length > limit || _eof) return -1;
            await FillAsync(default);
        }
    }

    private async ValueTask<bool> EnsureAsync(int count)
    {
        while (_end - _start < count)
        {
            if (_eof) return false;
            await FillAsync(default);
        }
        return true;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw Malformed(); // a header block or field framing longer than the buffer
        int n = await _body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (n == 0) _eof = true;
        _end += n;
    }

    private void Advance(int count)
    {
        _start += count;
        Consumed += count;
    }

    private static FormPart ParseHeaders(string block)
    {
        string? name = null, fileName = null, contentType = null;
        foreach (string line in block.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw Malformed();
            string header = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;
            else if (header.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                var parameters = SplitParameters(value);
                if (parameters.Count == 0 || !parameters[0].Key.Equals("form-data", StringComparison.OrdinalIgnoreCase)) throw Malformed();
                foreach (var (k, v) in parameters.Skip(1))
                {
                    if (k.Equals("name", StringComparison.OrdinalIgnoreCase)) name = v;
                    else if (k.Equals("filename", StringComparison.OrdinalIgnoreCase)) fileName = v;
                }
            }
        }
        if (name == null) throw Malformed();
        return new FormPart(name, fileName, contentType);
    }

    /// <summary>Splits <c>form-data; name="a;b"; filename=x</c> on ';' outside quotes; quoted values unescaped.</summary>
    private static List<KeyValuePair<string, string?>> SplitParameters(string value)
    {
        var result = new List<KeyValuePair<string, string?>>();
        int i = 0;
        while (i < value.Length)
        {
            while (i < value.Length && value[i] is ' ' or '\t' or ';') i++;
            int nameStart = i;
            while (i < value.Length && value[i] is not '=' and not ';') i++;
            string key = value[nameStart..i].Trim();
            string? v = null;
            if (i < value.Length && value[i] == '=')
            {
                i++;
                while (i < value.Length && value[i] is ' ' or '\t') i++;
                if (i < value.Length && value[i] == '"')
                {
                    var sb = new StringBuilder();
                    i++;
                    while (i < value.Length && value[i] != '"')
                    {
                        if (value[i] == '\\' && i + 1 < value.Length) i++;
                        sb.Append(value[i++]);
                    }
                    if (i >= value.Length) throw Malformed();
                    i++;
                    v = sb.ToString();
                }
                else
                {
                    int start = i;
                    while (i < value.Length && value[i] != ';') i++;
                    v = value[start..i].Trim();
                }
            }
            if (key.Length > 0) result.Add(new(key, v));
        }
        return result;
    }

    internal static S3RequestException Malformed() => new(new S3Error(S3ErrorCode.MalformedPOSTRequest));

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>One part of a form: its field name, and for a file its file name and content type.</summary>
internal sealed record FormPart(string Name, string? FileName, string? ContentType);
