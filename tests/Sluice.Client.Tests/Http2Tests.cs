using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.Client.Retry;
using Sluice.Client.Tests.Faults;

namespace Sluice.Client.Tests;

/// <summary>
/// HTTP/2 in the client beyond the operation tests (which run on every protocol): what the wire carried, the
/// protocol choice (Auto by ALPN, no silent fall back), streamed bodies both ways, keys that must not be re-escaped,
/// cancellation, the first-byte timeout with retries.
/// </summary>
public class Http2Tests
{
    [Fact]
    public async Task H2c_requests_open_with_the_http2_preface_on_the_wire_and_share_one_connection()
    {
        await using var server = await ClientTestServer.StartAsync(protocol: ClientTestServer.H2c);
        await using var relay = new PrefaceSniffingRelay(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port));
        await using (var client = new S3Client(server.Options(relay.Endpoint)))
        {
            await client.CreateBucketAsync("wire");
            byte[] payload = RandomNumberGenerator.GetBytes(200_000);
            await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
                client.PutObjectAsync(new PutObjectRequest("wire", $"k{i}"), payload)));
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
                Assert.Equal(payload, await client.GetObjectBytesAsync("wire", $"k{i}"))));
            Assert.Equal(33, client.Http2Responses);
            // 33 requests, 16 at a time, multiplexed as streams of one connection (Kestrel allows 100 per connection).
            Assert.Equal(1, client.ConnectionsOpened);
        }

        Assert.Equal([PrefaceSniffingRelay.Http2Preface], relay.Openings);
    }

    [Fact]
    public async Task Http11_requests_carry_no_preface()
    {
        await using var server = await ClientTestServer.StartAsync(protocol: ClientTestServer.H2c);
        await using var relay = new PrefaceSniffingRelay(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port));
        await using (var client = new S3Client(server.Options(relay.Endpoint) with { Protocol = HttpProtocol.Http11 }))
        {
            await client.CreateBucketAsync("plain");
            Assert.Equal(0, client.Http2Responses);
        }

        Assert.Single(relay.Openings);
        Assert.StartsWith("PUT /plain", relay.Openings[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_against_an_http11_only_front_fails_rather_than_falling_back()
    {
        // The io_uring front speaks HTTP/1.1 only.
        await using var server = await ClientTestServer.StartAsync();
        await using var client = new S3Client(server.Options() with
        {
            Protocol = HttpProtocol.Http2,
            Retry = new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) },
        });
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.ListBucketsAsync());
        Assert.Equal(S3ClientErrorCodes.Http2Refused, e.Code);
        Assert.Equal(1, e.Attempts); // a refusal, not a broken connection: not retried
        Assert.Equal(0, client.Http2Responses);
    }

    [Fact]
    public async Task Over_tls_http2_needs_h2_in_alpn_and_auto_picks_by_alpn()
    {
        await using var server = await ClientTestServer.StartAsync(protocol: ClientTestServer.H2);
        Uri kestrel = server.Endpoint, uring = server.Server.Endpoint;
        Assert.Equal("https", uring.Scheme);

        // The io_uring TLS front does not offer h2: HTTP/2 is refused in the handshake, typed, not retried.
        await using (var refused = new S3Client(server.Options(uring)))
        {
            var e = await Assert.ThrowsAsync<S3Exception>(() => refused.ListBucketsAsync());
            Assert.Equal(S3ClientErrorCodes.Http2Refused, e.Code);
            Assert.Equal(1, e.Attempts);
        }

        // Auto: h2 where ALPN offers it (Kestrel), HTTP/1.1 where it does not (io_uring), the probe connection reused.
        await using (var auto = new S3Client(server.Options(kestrel) with { Protocol = HttpProtocol.Auto }))
        {
            await auto.CreateBucketAsync("auto");
            await auto.PutObjectAsync(new PutObjectRequest("auto", "k"), new byte[] { 1, 2, 3 });
            Assert.Equal([1, 2, 3], await auto.GetObjectBytesAsync("auto", "k"));
            Assert.Equal(3, auto.Http2Responses);
            Assert.Equal(1, auto.ConnectionsOpened);
        }

        await using (var auto = new S3Client(server.Options(uring) with { Protocol = HttpProtocol.Auto }))
        {
            Assert.Equal([1, 2, 3], await auto.GetObjectBytesAsync("auto", "k"));
            Assert.Equal([1, 2, 3], await auto.GetObjectBytesAsync("auto", "k"));
            Assert.Equal(0, auto.Http2Responses);
            Assert.Equal(1, auto.ConnectionsOpened);
        }
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Keys_with_characters_a_uri_would_rewrite_are_sent_as_signed(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("odd");
        string[] keys = ["a/../b", "./c", "x//y", "100%", "%41", "sp ace?&=#", "tab\there", "trailing/", "ünï/cödé", "semi;colon"];
        foreach (string key in keys)
        {
            await client.PutObjectAsync(new PutObjectRequest("odd", key), System.Text.Encoding.UTF8.GetBytes(key));
        }

        foreach (string key in keys)
        {
            Assert.Equal(key, System.Text.Encoding.UTF8.GetString(await client.GetObjectBytesAsync("odd", key)));
        }

        var listed = await client.ListObjectsV2PageAsync(new ListObjectsRequest("odd"));
        Assert.Equal(keys.Order(StringComparer.Ordinal), listed.Contents.Select(o => o.Key));
        server.AssertProtocol(client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task Bodies_stream_both_ways_from_and_into_streams_that_cannot_seek(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("big");
        byte[] payload = RandomNumberGenerator.GetBytes(24 * 1024 * 1024 + 3);
        await client.PutObjectAsync(new PutObjectRequest("big", "obj"), new ForwardOnlyStream(new MemoryStream(payload)), payload.Length);
        var sink = new MemoryStream();
        var got = await client.GetObjectAsync(new GetObjectRequest("big", "obj"), new ForwardOnlyStream(sink));
        Assert.Equal(payload.Length, got.ContentLength);
        Assert.True(payload.AsSpan().SequenceEqual(sink.GetBuffer().AsSpan(0, (int)sink.Length)));
        server.AssertProtocol(client);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Protocols), MemberType = typeof(ClientTestServer))]
    public async Task A_download_cancelled_midway_throws_cancelled_and_the_client_goes_on(string protocol)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("cancel");
        byte[] payload = RandomNumberGenerator.GetBytes(32 * 1024 * 1024);
        await client.PutObjectAsync(new PutObjectRequest("cancel", "k"), payload);

        using var cts = new CancellationTokenSource();
        var sink = new CancellingStream(cts);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.GetObjectAsync(new GetObjectRequest("cancel", "k"), sink, cts.Token));
        Assert.True(sink.Length < payload.Length);

        Assert.Equal(payload, await client.GetObjectBytesAsync("cancel", "k"));
        server.AssertProtocol(client);
    }

    [Theory]
    [InlineData("stall")]
    [InlineData("reset")]
    public async Task A_download_whose_connection_stalls_or_resets_midway_resumes_on_a_new_connection(string fault)
    {
        await using var server = await ClientTestServer.StartAsync(protocol: ClientTestServer.H2c);
        byte[] payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await using (var direct = server.CreateClient())
        {
            await direct.CreateBucketAsync("faulty");
            await direct.PutObjectAsync(new PutObjectRequest("faulty", "k"), payload);
        }

        // The first connection relays 2 MiB of the server's bytes, then holds the rest (stall) or resets; later ones relay all.
        FaultKind kind = fault == "stall" ? FaultKind.Stall : FaultKind.Reset;
        await using var proxy = new FaultProxy(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port),
            n => n == 0 ? new Fault(kind, AfterBytes: 2 * 1024 * 1024) : Fault.None);
        await using var client = new S3Client(server.Options(proxy.Endpoint) with
        {
            StallTimeout = TimeSpan.FromSeconds(1),
            Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) },
        });

        byte[] target = new byte[payload.Length];
        var got = await client.GetObjectAsync(new GetObjectRequest("faulty", "k"), target);
        Assert.Equal(payload.Length, got.ContentLength);
        Assert.True(payload.AsSpan().SequenceEqual(target));
        // A stalled connection is ended by the client (the handler would have kept giving it the retry's stream);
        // the rest of the body came as a resumed range over the second connection.
        Assert.Equal(2, proxy.Connections);
        Assert.Equal(2, client.Http2Responses);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_first_byte_timeout_retried_then_reported()
    {
        // Accepts, reads and never answers (not even HTTP/2 SETTINGS).
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        Task accept = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await silent.AcceptSocketAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        await using (var client = new S3Client(new S3ClientOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"),
            AccessKeyId = ClientTestServer.AccessKey,
            SecretAccessKey = ClientTestServer.Secret,
            Protocol = HttpProtocol.Http2,
            FirstByteTimeout = TimeSpan.FromMilliseconds(300),
            Retry = new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) },
        }))
        {
            var e = await Assert.ThrowsAsync<S3Exception>(() => client.GetObjectBytesAsync("b", "k"));
            Assert.Equal(S3ClientErrorCodes.FirstByteTimeout, e.Code);
            Assert.Equal(2, e.Attempts);
        }

        stop.Cancel();
        await accept;
        foreach (Socket s in held)
        {
            s.Dispose();
        }
    }

    [Theory]
    [InlineData(ClientTestServer.H2c)]
    [InlineData(ClientTestServer.H2)]
    public async Task Callers_and_their_sinks_never_run_on_a_reactor_over_http2(string protocol)
    {
        // The handler's connection loops read and write through ConnectionStream on the io_uring engine; their
        // completions, and so the caller's continuations and sinks, must stay off the reactors.
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient(engine: "uring");
        await client.CreateBucketAsync("affinity");
        byte[] payload = RandomNumberGenerator.GetBytes(300_000);
        await client.PutObjectAsync(new PutObjectRequest("affinity", "k"), payload);
        List<bool> seen = await Task.Run(async () =>
        {
            var threads = new List<bool>();
            byte[] target = new byte[payload.Length];
            for (int i = 0; i < 10; i++)
            {
                await client.GetObjectAsync(new GetObjectRequest("affinity", "k"), target).ConfigureAwait(false);
                threads.Add(OnReactor);
                await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync(new GetObjectRequest("affinity", "missing"))).ConfigureAwait(false);
                threads.Add(OnReactor);
                var sink = new ThreadRecordingStream();
                await client.GetObjectAsync(new GetObjectRequest("affinity", "k"), sink).ConfigureAwait(false);
                threads.Add(OnReactor);
                threads.Add(sink.WroteOnReactor);
                Assert.Equal(payload.Length, sink.Length);
            }

            return threads;
        });

        Assert.Equal(payload, await client.GetObjectBytesAsync("affinity", "k"));
        Assert.DoesNotContain(true, seen);
        server.AssertProtocol(client);
    }

    private static bool OnReactor => Thread.CurrentThread.Name?.StartsWith("sluice-reactor", StringComparison.Ordinal) == true;

    private sealed class ThreadRecordingStream : MemoryStream
    {
        public bool WroteOnReactor { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WroteOnReactor |= OnReactor;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>A stream that reads or writes but cannot seek (a pipe, a socket): bodies must stream, not be measured or rewound.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>Cancels its token once the first megabyte arrived, as a user pressing Ctrl+C mid-download.</summary>
    private sealed class CancellingStream(CancellationTokenSource cts) : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            if (_length >= 1024 * 1024)
            {
                cts.Cancel();
            }

            return ValueTask.CompletedTask;
        }
    }
}
