using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.S3.Auth;
using Sluice.Server;

namespace Sluice.AllocationGates;

/// <summary>
/// The embedded server's hot small GET allocates (almost) nothing: the same signed GET of a cached 4 KiB object is sent
/// again and again over one keep-alive connection from a raw socket into fixed buffers, so what this process allocates
/// meanwhile is the server's (plus whatever the runtime does in the background, which the bound allows for).
/// </summary>
internal static class ServerGates
{
    private const int Warmup = 3_000, Measured = 5_000, Rounds = 3;
    private const string AccessKey = "AKIDALLOCATIONGATE", Secret = "allocation/gate+secret";

    /// <summary>Average bytes per GET tolerated: background runtime work (timers), not per-request garbage.</summary>
    public const long MaxBytesPerGet = 64;

    /// <summary>
    /// Average bytes per GET tolerated with the access log on: its lines reuse their buffers, but the writer task's
    /// scheduling on the thread pool and the buffers made for bursts allocate now and then. A string per line would
    /// cost ~300 bytes.
    /// </summary>
    public const long MaxBytesPerLoggedGet = 256;

    public static long LoggedBound => MaxBytesPerLoggedGet * Measured;

    /// <summary>
    /// Bytes allocated over the measured GETs of the cached object (the least of <see cref="Rounds"/> rounds) (engine: "uring" or "managed"). With
    /// <paramref name="observed"/>, a MeterListener takes every measurement of the server's meter; with
    /// <paramref name="accessLogged"/>, the access log is on (into a writer that counts lines): what an operator who
    /// watches the server pays per request.
    /// </summary>
    /// <remarks>With <paramref name="origin"/>, each GET carries that Origin header: to a bucket without CORS rules
    /// (it must cost nothing), or with <paramref name="corsRules"/> to one whose rule matches it (the Access-Control-*
    /// headers are answered from buffers the connection keeps).</remarks>
    public static async Task<long> CachedSmallGetAsync(string engine, bool observed = false, bool accessLogged = false,
        string? origin = null, bool corsRules = false)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-gate-" + Guid.NewGuid().ToString("N"));
        using var listener = new MeterListener();
        long measurements = 0;
        if (observed)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Sluice.Server") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, _, _, _) => measurements++);
            listener.SetMeasurementEventCallback<double>((_, _, _, _) => measurements++);
            listener.Start();
        }
        using var accessLog = accessLogged ? new LineCounter() : null;
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = directory,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 2,
            EngineMode = engine,
            AccessLog = accessLog,
        });
        long allocated;
        try
        {
            int port = server.Endpoint.Port;
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 60_000 };
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            byte[] buffer = new byte[64 * 1024];
            byte[] body = new byte[4096];
            Random.Shared.NextBytes(body);
            Exchange(socket, Signed("PUT", "/gate", port, 0), buffer, 0);
            Exchange(socket, [.. Signed("PUT", "/gate/hot", port, body.Length), .. body], buffer, 0);
            if (corsRules)
            {
                byte[] rules = "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://*.example</AllowedOrigin><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>"u8.ToArray();
                using var digest = new Sluice.S3.Checksums.Md5Digest();
                digest.Append(rules);
                byte[] hash = new byte[16];
                digest.GetHashAndReset(hash);
                string md5 = Convert.ToBase64String(hash);
                Exchange(socket, [.. Signed("PUT", "/gate", port, rules.Length, "cors", ("Content-MD5", md5)), .. rules], buffer, 0);
            }

            byte[] get = origin == null ? Signed("GET", "/gate/hot", port, null) : Signed("GET", "/gate/hot", port, null, null, ("Origin", origin));
            if (corsRules)
            {
                // The gate measures the matched path only if the rule really matched.
                Exchange(socket, get, buffer, body.Length);
                if (buffer.AsSpan().IndexOf("Access-Control-Allow-Origin: http://app.example\r\n"u8) < 0)
                    throw new InvalidOperationException("the CORS rule did not match the gate's GET");
            }
            allocated = await Task.Run(() =>
            {
                for (int i = 0; i < Warmup; i++) Exchange(socket, get, buffer, body.Length);
                // The least of a few rounds: what every request allocates shows in each round, while the runtime's own
                // work on a loaded machine (thread injection, timers) lands in some rounds and not others.
                long least = long.MaxValue;
                for (int round = 0; round < Rounds; round++)
                {
                    long before = GC.GetTotalAllocatedBytes(precise: true);
                    for (int i = 0; i < Measured; i++) Exchange(socket, get, buffer, body.Length);
                    least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
                }
                if (observed && Interlocked.Read(ref measurements) < Measured)
                    throw new InvalidOperationException($"the listener saw {measurements} measurements over {Warmup + (Rounds * Measured)} GETs");
                return least;
            });
        }
        finally
        {
            await server.StopAsync(); // writes out the access log's queue
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
        if (accessLog != null && accessLog.Lines < Warmup + (Rounds * Measured))
            throw new InvalidOperationException($"the access log has {accessLog.Lines} lines for {Warmup + (Rounds * Measured)} GETs");
        return allocated;
    }

    public static long Bound => MaxBytesPerGet * Measured;

    /// <summary>A request head signed with an unsigned payload (a body of <paramref name="contentLength"/> follows, if given).</summary>
    private static byte[] Signed(string method, string path, int port, int? contentLength, string? query = null,
        params (string Name, string Value)[] extra)
    {
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"127.0.0.1:{port}");
        foreach (var (name, value) in extra) headers.Add(name, value);
        new SigV4Signer(AccessKey, Secret, "us-east-1").SignHeaders(headers, method, path, query, SigV4PayloadHash.UnsignedPayload, DateTimeOffset.UtcNow);
        var text = new StringBuilder($"{method} {path}{(query != null ? "?" + query : "")} HTTP/1.1\r\n");
        for (int i = 0; i < headers.Count; i++) text.Append(headers.GetNameString(i)).Append(": ").Append(headers.GetValueString(i)).Append("\r\n");
        if (contentLength is { } length) text.Append("Content-Length: ").Append(length).Append("\r\n");
        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>Sends one request and reads its 200 response, whose body must be exactly <paramref name="bodyLength"/> bytes.</summary>
    private static void Exchange(Socket socket, byte[] request, byte[] buffer, int bodyLength)
    {
        socket.Send(request);
        int have = 0, headEnd = -1;
        while (headEnd < 0 || have < headEnd + bodyLength)
        {
            int n = socket.Receive(buffer.AsSpan(have));
            if (n == 0) throw new EndOfStreamException("the server closed the connection");
            have += n;
            if (headEnd < 0)
            {
                int at = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8);
                if (at >= 0) headEnd = at + 4;
            }
        }
        if (!buffer.AsSpan().StartsWith("HTTP/1.1 200 "u8)) throw new InvalidOperationException("not a 200 response: " + Encoding.ASCII.GetString(buffer, 0, Math.Min(have, 200)));
        if (have != headEnd + bodyLength) throw new InvalidOperationException("more bytes than one response");
    }

    /// <summary>An access log sink that only counts lines (a file's speed is not what the gate measures).</summary>
    private sealed class LineCounter : TextWriter
    {
        public long Lines;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n') Lines++;
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Lines += buffer.AsSpan(index, count).Count('\n');
        }
    }
}
