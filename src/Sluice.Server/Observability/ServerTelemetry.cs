using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Sluice.IO;
using Sluice.IO.Buffers;
using Sluice.Server.Exchange;
using Sluice.Server.Routing;

namespace Sluice.Server.Observability;

/// <summary>
/// Per-request accounting at the core's entry, so every front gets it: the "Sluice.Server" <see cref="Meter"/>
/// (requests by operation and status, duration, body bytes, requests in flight, connections, buffer pool use), one
/// <see cref="Activity"/> per request from the "Sluice.Server" <see cref="ActivitySource"/>, and the access log. With
/// nothing listening and no access log, a request costs two timestamps and a few flag checks: instruments are made once
/// per server, tags go in a <see cref="TagList"/> (inline, no array) of cached strings, and an activity is only
/// started when a listener wants one.
/// </summary>
internal sealed class ServerTelemetry : IDisposable
{
    public const string Name = "Sluice.Server";

    private static readonly string? Version = typeof(ServerTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>One source per process (activities are per request, not per server): started only with a listener.</summary>
    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>Operation names by <see cref="S3Operation"/> value: "-" for a request that was not routed.</summary>
    private static readonly string[] OperationNames = BuildOperationNames();

    /// <summary>Status codes as tag values, cached so tagging a measurement allocates nothing.</summary>
    private static readonly string[] StatusNames = [.. Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Histogram buckets (seconds) from a cached small GET (~0.1 ms) to a multi-GiB transfer.</summary>
    private static readonly double[] DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;
    private readonly UpDownCounter<long> _active;
    private readonly List<(string Front, Func<int> Count)> _connectionSources = [];

    public ServerTelemetry(AccessLog? accessLog, NativeBufferPool? buffers)
    {
        AccessLog = accessLog;
        Meter = new Meter(Name, Version);
        _requests = Meter.CreateCounter<long>("sluice.server.requests", "{request}",
            "Requests answered, by operation and status code");
        _duration = Meter.CreateHistogram("sluice.server.request.duration", "s",
            "Time from a request's parsed head to its response handed to the connection, by operation",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _received = Meter.CreateCounter<long>("sluice.server.received", "By", "Request body bytes read, by operation");
        _sent = Meter.CreateCounter<long>("sluice.server.sent", "By", "Response body bytes sent, by operation");
        _active = Meter.CreateUpDownCounter<long>("sluice.server.requests.active", "{request}", "Requests being served");
        Meter.CreateObservableGauge("sluice.server.connections", ObserveConnections, "{connection}",
            "Open client connections, by front");
        if (buffers != null)
        {
            Meter.CreateObservableGauge("sluice.server.buffer_pool.rented", () => ObservePool(buffers, capacity: false), "{buffer}",
                "Native I/O buffers rented from the engine's pool, by size class (bytes)");
            Meter.CreateObservableGauge("sluice.server.buffer_pool.capacity", () => ObservePool(buffers, capacity: true), "{buffer}",
                "Native I/O buffers the engine's pool holds, by size class (bytes)");
        }
        if (accessLog != null)
            Meter.CreateObservableCounter("sluice.server.access_log.dropped", () => accessLog.Dropped, "{line}",
                "Access log lines dropped because the writer fell behind");
    }

    /// <summary>This server's meter (a process may run several servers; each has its own).</summary>
    public Meter Meter { get; }

    public AccessLog? AccessLog { get; }

    /// <summary>Adds a front's open-connection count to the connections gauge.</summary>
    public void AddConnections(string front, Func<int> count)
    {
        lock (_connectionSources) _connectionSources.Add((front, count));
    }

    private Measurement<int>[] ObserveConnections()
    {
        lock (_connectionSources)
            return [.. _connectionSources.Select(s => new Measurement<int>(s.Count(), new KeyValuePair<string, object?>("front", s.Front)))];
    }

    private static Measurement<int>[] ObservePool(NativeBufferPool pool, bool capacity)
    {
        var measurements = new Measurement<int>[pool.ClassCount];
        for (int i = 0; i < measurements.Length; i++)
            measurements[i] = new Measurement<int>(capacity ? pool.ClassCapacity(i) : pool.ClassOutstanding(i),
                new KeyValuePair<string, object?>("size", pool.ClassSize(i).ToString(CultureInfo.InvariantCulture)));
        return measurements;
    }

    public static string OperationName(S3Operation operation) =>
        (uint)operation < (uint)OperationNames.Length ? OperationNames[(int)operation] : operation.ToString();

    /// <summary>At a request's start: counts it in flight, starts its activity if anyone listens (else null).</summary>
    public Activity? RequestStarted(S3Exchange x)
    {
        if (_active.Enabled) _active.Add(1);
        return Source.HasListeners() ? StartActivity(x) : null;
    }

    private static Activity? StartActivity(S3Exchange x)
    {
        // A caller's W3C trace context makes this request's span its child.
        var head = x.HeadBytes.Span;
        ActivityContext parent = default;
        foreach (var field in x.Request.Headers.Fields)
        {
            if (Ascii.EqualsIgnoreCase(field.Name.Of(head), "traceparent"u8))
            {
                ActivityContext.TryParse(Encoding.ASCII.GetString(field.Value.Of(head)), null, out parent);
                break;
            }
        }
        return Source.StartActivity("S3 request", ActivityKind.Server, parent);
    }

    /// <summary>
    /// At a request's end (its response sent, or the handler failed: then the status is the one the front answers
    /// with, see <see cref="StatusOf"/>): records the metrics, ends the activity, queues the access log line.
    /// </summary>
    public void RequestEnded(S3Exchange x, S3Route route, string? principal, long startTimestamp, Exception? failure, Activity? activity)
    {
        if (_active.Enabled) _active.Add(-1);
        int status = StatusOf(x, failure);
        long sent = x.ResponseContentLength <= 0 || status == 304 || x.Request.Method == Sluice.S3.Http.KnownMethod.Head
            ? 0 : x.ResponseContentLength;
        string operation = OperationName(route.Operation);
        long received = x.BodyBytesRead;
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        Record(operation, status, elapsed.TotalSeconds, sent, received);
        if (activity != null)
        {
            activity.DisplayName = operation;
            activity.SetTag("operation", operation);
            if (route.HasBucket) activity.SetTag("bucket", route.GetBucketString());
            activity.SetTag("status", status);
            if (status >= 500) activity.SetStatus(ActivityStatusCode.Error, failure?.Message);
            activity.Dispose();
        }
        AccessLog?.Write(new AccessRecord
        {
            Time = DateTime.UtcNow,
            RequestId = x.RequestId,
            Principal = principal,
            Operation = operation,
            Bucket = route.Bucket,
            Key = route.Key,
            Status = status,
            BytesSent = sent,
            BytesReceived = received,
            LatencyMs = elapsed.TotalMilliseconds,
        });
    }

    /// <summary>A request a front answered itself (<see cref="IExchangeHandler.OnFrontAnswered"/>): counted and logged, not timed.</summary>
    public void FrontAnswered(S3Exchange x)
    {
        int status = x.ResponseStatus;
        long sent = Math.Max(0, x.ResponseContentLength);
        Record(OperationName(S3Operation.None), status, -1, sent, 0);
        AccessLog?.Write(new AccessRecord
        {
            Time = DateTime.UtcNow,
            RequestId = x.RequestId,
            Operation = OperationName(S3Operation.None),
            Status = status,
            BytesSent = sent,
            LatencyMs = -1,
        });
    }

    private void Record(string operation, int status, double seconds, long sent, long received)
    {
        if (_requests.Enabled)
        {
            var tags = new TagList { { "operation", operation }, { "status", StatusName(status) } };
            _requests.Add(1, in tags);
        }
        var byOperation = new TagList { { "operation", operation } };
        if (seconds >= 0 && _duration.Enabled) _duration.Record(seconds, in byOperation);
        if (sent > 0 && _sent.Enabled) _sent.Add(sent, in byOperation);
        if (received > 0 && _received.Enabled) _received.Add(received, in byOperation);
    }

    /// <summary>
    /// The status the client got: the response's once it started; for a handler that failed before, the one the
    /// fronts answer with — the body's error (400/411/...), 400 RequestTimeout for a stalled body, 499 when the
    /// client went away (nginx's "client closed request": no answer was possible), else 500.
    /// </summary>
    internal static int StatusOf(S3Exchange x, Exception? failure)
    {
        if (x.ResponseStarted) return x.ResponseStatus;
        return failure switch
        {
            null => 500, // the handler returned without answering: the front answers 500
            HttpBodyException e => new Sluice.S3.Errors.S3Error(e.Code).HttpStatus,
            OperationCanceledException => 400,
            IoException { IsConnectionReset: true } or IoTimeoutException => 499,
            _ => 500,
        };
    }

    private static string StatusName(int status) =>
        (uint)status < (uint)StatusNames.Length ? StatusNames[status] : status.ToString(CultureInfo.InvariantCulture);

    private static string[] BuildOperationNames()
    {
        var values = Enum.GetValues<S3Operation>();
        var names = new string[values.Max(v => (int)v) + 1];
        foreach (var v in values) names[(int)v] = v == S3Operation.None ? "-" : v.ToString();
        return names;
    }

    public void Dispose() => Meter.Dispose();
}
