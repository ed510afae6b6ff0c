using System.Buffers;

namespace Sluice.S3.Http;

/// <summary>
/// The state machine shared by <see cref="ChunkedDecoder"/> and <see cref="AwsChunkedDecoder"/> (aws-chunked is HTTP
/// chunked grammar with a mandatory or forbidden extension). Lines are consumed whole or not at all, data as it comes,
/// so a caller re-presenting unconsumed bytes plus new ones survives any split.
/// </summary>
internal struct ChunkedBodyReader
{
    /// <summary>SigV4 signatures are HMAC-SHA256 in lowercase hex.</summary>
    private const int SignatureLength = AwsChunkedEncoder.SignatureLength;

    private readonly ChunkedLimits _limits;
    private readonly Framing _framing;
    private State _state;
    private long _remaining;
    private int _trailerCount;
    private int _trailerBytes;

    public ChunkedBodyReader(Framing framing, ChunkedLimits limits)
    {
        _framing = framing;
        _limits = limits;
        _state = State.SizeLine;
        _remaining = 0;
        _trailerCount = 0;
        _trailerBytes = 0;
        Error = ChunkDecodeError.None;
        DecodedLength = 0;
    }

    public enum Framing : byte
    {
        Http,
        AwsSigned,
        AwsUnsigned,
    }

    private enum State : byte
    {
        SizeLine = 0,
        Data,
        DataEnd,
        Trailers,
        Completed,
        Failed,
    }

    public ChunkDecodeError Error { get; private set; }

    public long DecodedLength { get; private set; }

    public readonly bool IsCompleted => _state == State.Completed;

    public OperationStatus Decode(ReadOnlySpan<byte> input, out int consumed, out ChunkEvent evt)
    {
        consumed = 0;
        evt = default;
        switch (_state)
        {
            case State.SizeLine:
                return ReadSizeLine(input, out consumed, out evt);

            case State.Data:
                if (input.IsEmpty)
                {
                    return OperationStatus.NeedMoreData;
                }

                int n = _remaining < input.Length ? (int)_remaining : input.Length;
                _remaining -= n;
                DecodedLength += n;
                if (_remaining == 0)
                {
                    _state = State.DataEnd;
                }

                consumed = n;
                evt = ChunkEvent.Payload(input[..n]);
                return OperationStatus.Done;

            case State.DataEnd:
                if (input.Length < 2)
                {
                    return input.Length == 1 && input[0] != '\r' ? Fail(ChunkDecodeError.InvalidChunkTerminator) : OperationStatus.NeedMoreData;
                }

                if (input[0] != '\r' || input[1] != '\n')
                {
                    return Fail(ChunkDecodeError.InvalidChunkTerminator);
                }

                _state = State.SizeLine;
                consumed = 2;
                evt = ChunkEvent.Of(ChunkEventKind.ChunkEnd);
                return OperationStatus.Done;

            case State.Trailers:
                return ReadTrailerLine(input, out consumed, out evt);

            case State.Completed:
                evt = ChunkEvent.Of(ChunkEventKind.Completed);
                return OperationStatus.Done;

            default:
                return OperationStatus.InvalidData;
        }
    }

    private OperationStatus ReadSizeLine(ReadOnlySpan<byte> input, out int consumed, out ChunkEvent evt)
    {
        consumed = 0;
        evt = default;
        OperationStatus status = ReadLine(input, out ReadOnlySpan<byte> line);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        int i = 0;
        long size = 0;
        while (i < line.Length && HexValue(line[i]) is int digit and >= 0)
        {
            if (size > long.MaxValue >> 4)
            {
                return Fail(ChunkDecodeError.ChunkSizeOverflow);
            }

            size = (size << 4) | (long)digit;
            i++;
        }

        if (i == 0)
        {
            return Fail(LineError(line, ChunkDecodeError.InvalidChunkSize));
        }

        ReadOnlySpan<byte> rest = line[i..];
        ReadOnlySpan<byte> signature = default;
        ReadOnlySpan<byte> extensions = default;
        ChunkDecodeError error = _framing switch
        {
            Framing.AwsSigned => ParseSignature(rest, out signature),
            Framing.AwsUnsigned => rest.IsEmpty ? ChunkDecodeError.None : ChunkDecodeError.InvalidChunkExtension,
            _ => ParseExtensions(rest, out extensions),
        };
        if (error != ChunkDecodeError.None)
        {
            return Fail(LineError(line, error));
        }

        if (size > _limits.MaxChunkSize)
        {
            return Fail(ChunkDecodeError.ChunkTooLarge);
        }

        _remaining = size;
        _state = size == 0 ? State.Trailers : State.Data;
        consumed = line.Length + 2;
        evt = ChunkEvent.Header(size, signature, extensions);
        return OperationStatus.Done;
    }

    // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): tolerated, not interpreted; only well-formedness matters.
    private static ChunkDecodeError ParseExtensions(ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> extensions)
    {
        extensions = rest;
        if (rest.IsEmpty)
        {
            return ChunkDecodeError.None;
        }

        ReadOnlySpan<byte> trimmed = HttpChars.TrimOws(rest);
        if (trimmed.IsEmpty || trimmed[0] != ';')
        {
            // "1g" or "1 x": a size that is not hex all the way.
            return HttpChars.IsWhitespace(rest[0]) && trimmed.IsEmpty ? ChunkDecodeError.InvalidChunkExtension : ChunkDecodeError.InvalidChunkSize;
        }

        return HttpChars.IsValidFieldValue(rest) ? ChunkDecodeError.None : ChunkDecodeError.InvalidChunkExtension;
    }

    private static ChunkDecodeError ParseSignature(ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> signature)
    {
        signature = default;
        ReadOnlySpan<byte> prefix = ";chunk-signature="u8;
        if (rest.IsEmpty)
        {
            return ChunkDecodeError.MissingChunkSignature;
        }

        if (!rest.StartsWith(prefix))
        {
            return rest[0] == ';' ? ChunkDecodeError.MissingChunkSignature : ChunkDecodeError.InvalidChunkSize;
        }

        ReadOnlySpan<byte> value = rest[prefix.Length..];
        if (value.Length != SignatureLength || value.ContainsAnyExcept(LowerHex))
        {
            return ChunkDecodeError.InvalidChunkSignature;
        }

        signature = value;
        return ChunkDecodeError.None;
    }

    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);

    private OperationStatus ReadTrailerLine(ReadOnlySpan<byte> input, out int consumed, out ChunkEvent evt)
    {
        consumed = 0;
        evt = default;
        if (input.Length > 0 && HttpChars.IsWhitespace(input[0]))
        {
            return Fail(ChunkDecodeError.InvalidTrailer); // obs-fold
        }

        OperationStatus status = ReadLine(input, out ReadOnlySpan<byte> line);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (line.IsEmpty)
        {
            _state = State.Completed;
            consumed = 2;
            evt = ChunkEvent.Of(ChunkEventKind.Completed);
            return OperationStatus.Done;
        }

        if (++_trailerCount > _limits.MaxTrailerCount)
        {
            return Fail(ChunkDecodeError.TooManyTrailers);
        }

        _trailerBytes += line.Length + 2;
        if (_trailerBytes > _limits.MaxTrailerBytes)
        {
            return Fail(ChunkDecodeError.TrailersTooLarge);
        }

        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> name = colon > 0 ? line[..colon] : default;
        ReadOnlySpan<byte> value = colon > 0 ? HttpChars.TrimOws(line[(colon + 1)..]) : default;
        if (!HttpChars.IsToken(name) || !HttpChars.IsValidFieldValue(value))
        {
            return Fail(LineError(line, ChunkDecodeError.InvalidTrailer));
        }

        consumed = line.Length + 2;
        evt = ChunkEvent.Trailer(name, value);
        return OperationStatus.Done;
    }

    private OperationStatus ReadLine(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> line)
    {
        line = default;
        int max = _limits.MaxLineLength;
        int searchLength = max + 2 < input.Length ? max + 2 : input.Length;
        int lf = input[..searchLength].IndexOf((byte)'\n');
        if (lf < 0)
        {
            // The line is already at least this long (a trailing CR may still become its CRLF).
            int known = input.Length - (input.Length > 0 && input[^1] == '\r' ? 1 : 0);
            return known > max ? Fail(ChunkDecodeError.LineTooLong) : OperationStatus.NeedMoreData;
        }

        if (lf == 0 || input[lf - 1] != '\r')
        {
            return Fail(ChunkDecodeError.InvalidLineEnding);
        }

        line = input[..(lf - 1)];
        return OperationStatus.Done;
    }

    private static ChunkDecodeError LineError(ReadOnlySpan<byte> line, ChunkDecodeError error) =>
        line.Contains((byte)'\r') ? ChunkDecodeError.InvalidLineEnding : error;

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private OperationStatus Fail(ChunkDecodeError error)
    {
        Error = error;
        _state = State.Failed;
        return OperationStatus.InvalidData;
    }
}
