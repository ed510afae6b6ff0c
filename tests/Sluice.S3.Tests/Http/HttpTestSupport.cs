using System.Buffers;
using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

/// <summary>Records parser callbacks as strings (tests may allocate; the parser must not).</summary>
internal sealed class HeadLog
{
    public string? RequestLine;
    public KnownMethod Method;
    public string Path = "", Query = "", Authority = "", Target = "";
    public HttpTargetForm Form;
    public HttpProtocolVersion Version;
    public int Status = -1;
    public string Reason = "";
    public List<(KnownHeader Id, string Name, string Value)> Headers = [];
    public int CompleteCalls;

    public string? Get(KnownHeader id) => Headers.FirstOrDefault(h => h.Id == id).Value;
}

internal struct RecordingHandler(HeadLog log) : IHttpRequestHeadHandler, IHttpResponseHeadHandler
{
    public readonly HeadLog Log = log;

    public readonly void OnRequestLine(in HttpRequestLine line)
    {
        Log.RequestLine = $"{Encoding.ASCII.GetString(line.MethodName)} {Encoding.ASCII.GetString(line.Target)}";
        Log.Method = line.Method;
        Log.Target = Encoding.ASCII.GetString(line.Target);
        Log.Path = Encoding.ASCII.GetString(line.Path);
        Log.Query = Encoding.ASCII.GetString(line.Query);
        Log.Authority = Encoding.ASCII.GetString(line.Authority);
        Log.Form = line.Form;
        Log.Version = line.Version;
    }

    public readonly void OnStatusLine(HttpProtocolVersion version, int statusCode, ReadOnlySpan<byte> reason)
    {
        Log.Version = version;
        Log.Status = statusCode;
        Log.Reason = Encoding.ASCII.GetString(reason);
    }

    public readonly void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        Log.Headers.Add((header, Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));

    public readonly void OnHeadersComplete() => Log.CompleteCalls++;
}

/// <summary>Allocation-free handler for the zero-allocation checks and benchmarks' twin.</summary>
internal struct CountingHandler : IHttpRequestHeadHandler, IHttpResponseHeadHandler
{
    public int Headers;
    public int KnownHeaders;
    public long ValueBytes;
    public KnownMethod Method;
    public int Status;

    public void OnRequestLine(in HttpRequestLine line) => Method = line.Method;

    public void OnStatusLine(HttpProtocolVersion version, int statusCode, ReadOnlySpan<byte> reason) => Status = statusCode;

    public void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Headers++;
        ValueBytes += value.Length;
        if (header != KnownHeader.Unknown)
        {
            KnownHeaders++;
        }
    }

    public readonly void OnHeadersComplete()
    {
    }
}

/// <summary>Holds one of the two decoders (mutable structs) so tests can share the driving loop.</summary>
internal sealed class BodyDecoder
{
    private ChunkedDecoder _http;
    private AwsChunkedDecoder _aws;
    private readonly bool _isAws;

    private BodyDecoder(bool isAws, ChunkedDecoder http, AwsChunkedDecoder aws)
    {
        _isAws = isAws;
        _http = http;
        _aws = aws;
    }

    public static BodyDecoder Chunked(ChunkedLimits limits = default) => new(false, new ChunkedDecoder(limits), default);

    public static BodyDecoder Aws(bool withSignatures, ChunkedLimits limits = default) => new(true, default, new AwsChunkedDecoder(withSignatures, limits));

    public ChunkDecodeError Error => _isAws ? _aws.Error : _http.Error;

    public bool IsCompleted => _isAws ? _aws.IsCompleted : _http.IsCompleted;

    public long DecodedLength => _isAws ? _aws.DecodedLength : _http.DecodedLength;

    public OperationStatus Decode(ReadOnlySpan<byte> input, out int consumed, out ChunkEvent evt) =>
        _isAws ? _aws.Decode(input, out consumed, out evt) : _http.Decode(input, out consumed, out evt);
}

/// <summary>Outcome of driving a chunk decoder over a body delivered in pieces.</summary>
internal sealed class DecodeLog
{
    public List<string> Events = [];
    public MemoryStream Data = new();
    public OperationStatus Final = OperationStatus.NeedMoreData;
    public long Consumed;
    public int Steps;
    public ChunkDecodeError Error;
}

internal static class Drive
{
    public static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);

    /// <summary>Feeds <paramref name="body"/> in pieces cut at <paramref name="cuts"/> like a socket reader would:
    /// unconsumed bytes stay buffered and are presented again with the next piece. Consecutive Data events are merged
    /// so logs from different splits compare equal.</summary>
    public static DecodeLog Run(BodyDecoder step, byte[] body, IEnumerable<int> cuts)
    {
        var log = new DecodeLog();
        var pending = new List<byte>();
        int fed = 0;
        bool dataOpen = false;
        foreach (int cut in cuts.Append(body.Length).Where(c => c > 0 && c <= body.Length).Distinct().Order())
        {
            if (cut <= fed)
            {
                continue;
            }

            pending.AddRange(body.AsSpan(fed, cut - fed).ToArray());
            fed = cut;
            while (true)
            {
                byte[] input = [.. pending];
                OperationStatus status = step.Decode(input, out int consumed, out ChunkEvent evt);
                log.Steps++;
                Assert.InRange(consumed, 0, input.Length);
                if (status == OperationStatus.NeedMoreData)
                {
                    Assert.Equal(0, consumed);
                    log.Final = status;
                    break;
                }

                if (status != OperationStatus.Done)
                {
                    Assert.Equal(OperationStatus.InvalidData, status);
                    Assert.NotEqual(ChunkDecodeError.None, step.Error);
                    log.Final = status;
                    log.Error = step.Error;
                    return log;
                }

                log.Consumed += consumed;
                pending.RemoveRange(0, consumed);
                if (evt.Kind == ChunkEventKind.Data)
                {
                    Assert.Equal(consumed, evt.Data.Length);
                    Assert.True(evt.Data.Length > 0);
                    log.Data.Write(evt.Data);
                    if (!dataOpen)
                    {
                        log.Events.Add("data");
                        dataOpen = true;
                    }

                    continue;
                }

                dataOpen = false;
                log.Events.Add(evt.Kind switch
                {
                    ChunkEventKind.ChunkHeader => $"header {evt.ChunkSize} {Encoding.ASCII.GetString(evt.Signature)}{Encoding.ASCII.GetString(evt.Extensions)}".TrimEnd(),
                    ChunkEventKind.Trailer => $"trailer {Encoding.ASCII.GetString(evt.TrailerName)}={Encoding.ASCII.GetString(evt.TrailerValue)}",
                    _ => evt.Kind.ToString(),
                });
                if (evt.Kind == ChunkEventKind.Completed)
                {
                    Assert.Equal(0, step.Decode(input.AsSpan(consumed), out int again, out ChunkEvent evt2) == OperationStatus.Done ? again : -1);
                    log.Final = OperationStatus.Done;
                    return log;
                }
            }
        }

        return log;
    }

    public static DecodeLog Run(BodyDecoder step, byte[] body) => Run(step, body, []);
}
