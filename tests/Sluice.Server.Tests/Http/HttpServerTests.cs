using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.IO;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Http;

namespace Sluice.Server.Tests.Http;

/// <summary>The HTTP/1.1 front over real loopback sockets, on both I/O engines, driven by a raw socket client.</summary>
public class HttpServerTests
{
    public static TheoryData<string> Engines => new() { "uring", "managed" };

    private static readonly HttpServerOptions FastTimeouts = new()
    {
        IdleTimeout = TimeSpan.FromMilliseconds(400),
        HeaderTimeout = TimeSpan.FromMilliseconds(400),
        BodyReadTimeout = TimeSpan.FromMilliseconds(400),
    };

    /// <summary>Answers "METHOD PATH?QUERY|BODY" so tests see exactly what the server parsed and read.</summary>
    private sealed class EchoHandler : IExchangeHandler
    {
        /// <summary>A request for /slow sets this when it reaches the handler, then waits for <see cref="Release"/>.</summary>
        public TaskCompletionSource? Entered { get; init; }
        public Task Release { get; init; } = Task.CompletedTask;
        /// <summary>Set when the handler has returned or thrown.</summary>
        public TaskCompletionSource? Exited { get; init; }
        public bool Throw { get; init; }
        public bool SkipBody { get; init; }

        public async ValueTask HandleAsync(S3Exchange x)
        {
            try
            {
                await EchoAsync(x);
            }
            finally
            {
                Exited?.TrySetResult();
            }
        }

        private async ValueTask EchoAsync(S3Exchange x)
        {
            if (Throw) throw new InvalidOperationException("handler bug");
            var text = new MemoryStream();
            text.Write(x.Request.MethodName.Of(x.HeadBytes.Span));
            text.WriteByte((byte)' ');
            text.Write(x.Request.Target.Of(x.HeadBytes.Span));
            text.WriteByte((byte)'|');
            if (x.Request.Target.Of(x.HeadBytes.Span).StartsWith("/slow"u8))
            {
                Entered?.TrySetResult();
                await Release;
            }
            if (!SkipBody)
            {
                var buf = new byte[7]; // small on purpose: bodies arrive over many reads
                int n;
                while ((n = await x.ReadBodyAsync(buf)) > 0) text.Write(buf, 0, n);
            }
            x.SetStatus(200);
            x.AddHeader(KnownHeader.ContentType, "text/plain"u8);
            await x.SendAsync(text.ToArray());
        }
    }

    private static async Task<(IoEngine Engine, HttpServer Server)> Start(string mode, IExchangeHandler handler, HttpServerOptions? options = null)
    {
        var engine = IoEngine.Create(new IoEngineOptions { Mode = mode, ReactorCount = 2 });
        var server = HttpServer.Start(engine, new IPEndPoint(IPAddress.Loopback, 0), handler, options ?? FastTimeouts);
        await Task.Yield();
        return (engine, server);
    }

    private static async Task Stop(IoEngine engine, HttpServer server)
    {
        await server.StopAsync(TimeSpan.FromSeconds(5));
        await engine.DisposeAsync();
    }

    private static Socket Connect(HttpServer server)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        s.Connect(server.LocalEndPoint);
        s.ReceiveTimeout = 10_000;
        return s;
    }

    private static void Send(Socket s, string text) => s.Send(Encoding.UTF8.GetBytes(text));

    private static (int Status, string Head, string Body) ReadResponse(Socket s, ref byte[] carry) =>
        RawHttp.ReadResponse(s, ref carry);

    private static (int Status, string Head, string Body) ReadResponse(Socket s) => RawHttp.ReadResponse(s);

    private static bool ClosedByServer(Socket s)
    {
        var buf = new byte[1];
        try { return s.Receive(buf) == 0; }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return true; }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Keep_alive_serves_many_requests_on_one_connection(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            for (int i = 0; i < 20; i++)
            {
                string body = new('x', i * 10);
                Send(s, $"PUT /bucket/key{i}?partNumber=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: {body.Length}\r\n\r\n{body}");
                var r = ReadResponse(s);
                Assert.Equal(200, r.Status);
                Assert.Equal($"PUT /bucket/key{i}?partNumber=1|{body}", r.Body);
                Assert.Contains("x-amz-request-id: ", r.Head);
                Assert.DoesNotContain("Connection: close", r.Head);
            }
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Pipelined_requests_are_answered_in_order(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            Send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" +
                    "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello" +
                    "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
                    "GET /d HTTP/1.1\r\nHost: h\r\n\r\n");
            byte[] carry = [];
            Assert.Equal("GET /a|", ReadResponse(s, ref carry).Body);
            Assert.Equal("PUT /b|hello", ReadResponse(s, ref carry).Body);
            Assert.Equal("PUT /c|abc", ReadResponse(s, ref carry).Body);
            Assert.Equal("GET /d|", ReadResponse(s, ref carry).Body);
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Chunked_body_with_extensions_and_trailers_is_decoded(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            var payload = string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('a' + i % 26)));
            var sb = new StringBuilder("PUT /k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < payload.Length; i += 1000) sb.Append("3e8;ext=1\r\n").Append(payload, i, 1000).Append("\r\n");
            sb.Append("0\r\nx-amz-checksum-crc32: AAAAAA==\r\n\r\n");
            // Trickle the request in small pieces: framing lines split across receives must still decode.
            var bytes = Encoding.ASCII.GetBytes(sb.ToString());
            for (int i = 0; i < bytes.Length; i += 333) s.Send(bytes.AsSpan(i, Math.Min(333, bytes.Length - i)));
            var r = ReadResponse(s);
            Assert.Equal(200, r.Status);
            Assert.Equal("PUT /k|" + payload, r.Body);
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Expect_100_continue_is_answered_before_the_body_is_sent(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            Send(s, "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            var buf = new byte[64];
            int n = s.Receive(buf);
            Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(buf, 0, n));
            Send(s, "body");
            Assert.Equal("PUT /k|body", ReadResponse(s).Body);
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Final_answer_before_100_continue_closes_the_connection(string mode)
    {
        // The client waits for 100 before sending its body; a refusal means it never sends it (botocore's behaviour),
        // so the server must not read the next request as that body.
        var (engine, server) = await Start(mode, new EchoHandler { SkipBody = true });
        using (var s = Connect(server))
        {
            Send(s, "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            var r = ReadResponse(s);
            Assert.Equal(200, r.Status);
            Assert.Equal("PUT /k|", r.Body);
            Assert.Contains("Connection: close", r.Head);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Malformed_head_gets_400_with_an_s3_error_and_the_connection_closes(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        foreach (var bad in new[] { "GARBAGE\r\n\r\n", "GET /x HTTP/1.1\r\nHost h\r\n\r\n", "GET /x HTTP/1.1\nHost: h\n\n",
                     "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n" })
        {
            using var s = Connect(server);
            Send(s, bad);
            var r = ReadResponse(s);
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>InvalidRequest</Code>", r.Body);
            Assert.Contains("Connection: close", r.Head);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Head_larger_than_the_limit_is_refused(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            Send(s, "GET /x HTTP/1.1\r\nHost: h\r\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"x-amz-meta-k{i}: {new string('v', 100)}\r\n")) + "\r\n");
            var r = ReadResponse(s);
            Assert.Equal(400, r.Status);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_client_trickling_its_head_is_timed_out(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            Send(s, "GET /slow HTTP/1.1\r\nHo");
            var r = ReadResponse(s); // after HeaderTimeout the server answers and closes
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>RequestTimeout</Code>", r.Body);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    public static TheoryData<string, bool> EnginesAndFramings => new()
    {
        { "uring", false }, { "uring", true }, { "managed", false }, { "managed", true },
    };

    /// <summary>
    /// Sends <paramref name="bytes"/> one at a time, a tenth of a second apart (a slowloris client), until the server
    /// answers; returns the answer. The pace only makes the client slow: nothing waits on the server's timing, and the
    /// minute is a hang guard (a server that never cuts the client off would make the test fail there).
    /// </summary>
    private static async Task<(int Status, string Head, string Body)> TrickleUntilAnsweredAsync(Socket s, byte[] bytes)
    {
        s.ReceiveTimeout = 0;
        var answer = Task.Run(() => ReadResponse(s));
        var guard = Task.Delay(TimeSpan.FromMinutes(1));
        for (int i = 0; i < bytes.Length && !answer.IsCompleted && !guard.IsCompleted; i++)
        {
            try { s.Send(bytes, i, 1, SocketFlags.None); }
            catch (SocketException) { break; } // the server closed: its answer is already on the way
            await Task.WhenAny(answer, Task.Delay(100));
        }
        Assert.True(await Task.WhenAny(answer, guard) == answer, "the server never cut the trickling client off");
        return await answer;
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_head_trickled_a_byte_at_a_time_is_cut_off_by_its_total_deadline(string mode)
    {
        // Each byte arrives well within the head timeout: only a deadline from the head's first byte ends this.
        var options = new HttpServerOptions
        {
            HeaderTimeout = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromMinutes(5), BodyReadTimeout = TimeSpan.FromMinutes(5),
        };
        var (engine, server) = await Start(mode, new EchoHandler(), options);
        using (var s = Connect(server))
        {
            var r = await TrickleUntilAnsweredAsync(s,
                Encoding.ASCII.GetBytes("GET /slow HTTP/1.1\r\nHost: h\r\nX-Pad: " + new string('p', 8000) + "\r\n\r\n"));
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>RequestTimeout</Code>", r.Body);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(EnginesAndFramings))]
    public async Task A_body_trickled_below_the_minimum_data_rate_is_cut_off(string mode, bool chunked)
    {
        // Each byte arrives well within BodyReadTimeout: only the minimum data rate ends this.
        var options = new HttpServerOptions
        {
            IdleTimeout = TimeSpan.FromMinutes(5), BodyReadTimeout = TimeSpan.FromMinutes(5),
            MinRequestBodyDataRate = 100, MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(1),
        };
        var (engine, server) = await Start(mode, new EchoHandler(), options);
        using (var s = Connect(server))
        {
            Send(s, chunked ? "PUT /k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n"
                : "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n");
            var r = await TrickleUntilAnsweredAsync(s, new byte[1 << 20]);
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>RequestTimeout</Code>", r.Body);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_idle_keep_alive_connection_is_closed_quietly(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            Send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, ReadResponse(s).Status);
            var started = DateTime.UtcNow;
            Assert.True(ClosedByServer(s)); // no response bytes, just the close
            Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(300));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_body_cut_short_is_incomplete_body(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler());
        using (var s = Connect(server))
        {
            Send(s, "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly ten b");
            s.Shutdown(SocketShutdown.Send);
            var r = ReadResponse(s);
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>IncompleteBody</Code>", r.Body);
        }
        using (var s = Connect(server))
        {
            Send(s, "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nstalls");
            var r = ReadResponse(s); // the body stalls past BodyReadTimeout
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>RequestTimeout</Code>", r.Body);
        }
        using (var s = Connect(server))
        {
            Send(s, "PUT /k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
            var r = ReadResponse(s);
            Assert.Equal(400, r.Status);
            Assert.Contains("<Code>InvalidRequest</Code>", r.Body);
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_handler_failure_is_500_internal_error(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler { Throw = true });
        using (var s = Connect(server))
        {
            Send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = ReadResponse(s);
            Assert.Equal(500, r.Status);
            Assert.Contains("<Code>InternalError</Code>", r.Body);
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_unread_body_is_skipped_so_the_next_request_still_parses(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler { SkipBody = true });
        using (var s = Connect(server))
        {
            Send(s, "PUT /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n" + new string('z', 5000) +
                    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
            byte[] carry = [];
            Assert.Equal("PUT /a|", ReadResponse(s, ref carry).Body);
            Assert.Equal("GET /b|", ReadResponse(s, ref carry).Body);
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_client_still_sending_when_the_server_answers_and_closes_gets_the_response(string mode)
    {
        // The handler answers without reading the body, which is too large to drain, so the connection closes while
        // the client still sends (as after a refused signature mid-body). The body is larger than the sockets can
        // buffer: the client is certainly still writing when the server is done.
        var (engine, server) = await Start(mode, new EchoHandler { SkipBody = true },
            new HttpServerOptions { MaxDrainBytes = 0 });
        const int BodySize = 16 << 20; // more than loopback sockets buffer (about 6 MiB received, 4 MiB sent)
        using (var s = Connect(server))
        {
            Send(s, $"PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: {BodySize}\r\n\r\n");
            var body = new byte[BodySize];
            var sending = Task.Run(() =>
            {
                for (int sent = 0; sent < BodySize;) sent += s.Send(body, sent, Math.Min(1 << 20, BodySize - sent), SocketFlags.None);
            });
            await sending.WaitAsync(TimeSpan.FromMinutes(2)); // a reset would fail the send
            var r = ReadResponse(s);
            Assert.Equal(200, r.Status);
            Assert.Equal("PUT /big|", r.Body);
            Assert.True(ClosedByServer(s));
        }
        await Stop(engine, server);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Stopping_finishes_the_request_in_flight_then_closes(string mode)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (engine, server) = await Start(mode, new EchoHandler { Entered = entered, Release = release.Task },
            new HttpServerOptions { IdleTimeout = TimeSpan.FromSeconds(30) });
        using var busy = Connect(server);
        using var idle = Connect(server);
        Send(idle, "GET /warm HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, ReadResponse(idle).Status);
        Send(busy, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
        await entered.Task.WaitAsync(TimeSpan.FromMinutes(2)); // in the handler: the request is in flight
        var stop = server.StopAsync(TimeSpan.FromMinutes(2));
        Assert.True(ClosedByServer(idle)); // the idle connection closes at once, the busy one is waited for
        Assert.False(stop.IsCompleted);
        release.TrySetResult();
        var r = ReadResponse(busy);
        Assert.Equal("GET /slow|", r.Body);
        Assert.Contains("Connection: close", r.Head);
        await stop;
        Assert.Equal(0, server.ActiveConnections);
        await engine.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Stopping_past_the_grace_period_aborts_the_request_and_waits_for_it_to_end(string mode)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var patient = new HttpServerOptions { IdleTimeout = TimeSpan.FromMinutes(10), BodyReadTimeout = TimeSpan.FromMinutes(10) };
        var (engine, server) = await Start(mode, new EchoHandler { Entered = entered, Exited = exited }, patient);
        using var s = Connect(server);
        Send(s, "PUT /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\npart"); // the rest never comes
        await entered.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await server.StopAsync(TimeSpan.Zero).WaitAsync(TimeSpan.FromMinutes(2));
        // The handler was blocked reading the body: the stop aborted it and returned only once it had ended, so the
        // engine (and a store) can go now.
        Assert.True(exited.Task.IsCompleted, "the stop returned while the handler still ran");
        Assert.Equal(0, server.ActiveConnections);
        Assert.True(ClosedByServer(s));
        await engine.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task HttpClient_talks_to_it(string mode)
    {
        var (engine, server) = await Start(mode, new EchoHandler(), new HttpServerOptions());
        using (var http = new HttpClient())
        {
            var uri = new Uri($"http://127.0.0.1:{server.LocalEndPoint.Port}/bucket/key%20with%20space");
            for (int i = 0; i < 5; i++)
            {
                using var resp = await http.PutAsync(uri, new ByteArrayContent(Encoding.ASCII.GetBytes($"payload-{i}")));
                Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
                Assert.Equal($"PUT /bucket/key%20with%20space|payload-{i}", await resp.Content.ReadAsStringAsync());
            }
        }
        await Stop(engine, server);
    }
}
