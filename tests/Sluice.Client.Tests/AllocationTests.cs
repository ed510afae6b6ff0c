using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>
/// The request path allocates little beyond the response records: pooled connections, reused head buffers and
/// header lists, pooled async state. Measured against a canned keep-alive responder that itself allocates nothing
/// per request (blocking sockets, prebuilt responses on its own thread), so the process-wide allocation count
/// is the client's.
/// </summary>
[Collection(AllocationTests.Serial)]
public class AllocationTests
{
    /// <summary>
    /// Counts are process-wide, so this collection runs alone: other test classes (the RADOS Gateway suite, the fault
    /// proxy) would otherwise add their allocations to the client's.
    /// </summary>
    public const string Serial = "allocation (runs alone)";

    private const int BodySize = 64 * 1024;
    private const int Calls = 100;

    /// <summary>Generous: the response record, its strings, the signature and the async machinery fit well inside.</summary>
    private const long BytesPerCallBound = 6 * 1024;

    [Theory]
    [InlineData("uring")]
    [InlineData("managed")]
    public async Task Head_and_get_into_a_buffer_allocate_little_per_call(string engine)
    {
        using var responder = new CannedResponder(BodySize);
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{responder.Port}"),
            AccessKeyId = "AKIDALLOC",
            SecretAccessKey = "secret",
        }, Sluice.IO.IoEngine.Create(new Sluice.IO.IoEngineOptions { Mode = engine, ReactorCount = 1 }));
        var head = new GetObjectRequest("bucket", "some/key");
        var get = new GetObjectRequest("bucket", "some/key") { RangeStart = 0, RangeEnd = BodySize - 1 };
        byte[] buffer = new byte[BodySize];
        for (int i = 0; i < 20; i++)
        {
            await client.HeadObjectAsync(head);
            await client.GetObjectAsync(get, buffer);
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        long threadBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            var h = await client.HeadObjectAsync(head);
            var g = await client.GetObjectAsync(get, buffer);
            Assert.Equal(BodySize, g.ContentLength);
            Assert.Equal("\"canned\"", h.ETag);
        }

        long perCall = (GC.GetTotalAllocatedBytes(precise: true) - before) / (2 * Calls);
        long threadPerCall = (GC.GetAllocatedBytesForCurrentThread() - threadBefore) / (2 * Calls);
        Assert.Equal((byte)'x', buffer[^1]);
        Assert.Equal(1, client.ConnectionsOpened); // one keep-alive connection served all 240 requests
        Assert.True(perCall < BytesPerCallBound, $"{perCall} bytes per call (process), {threadPerCall} on the test thread");
    }

    /// <summary>A keep-alive HTTP responder on one blocking thread: HEAD gets a head, GET a head plus a body.</summary>
    private sealed class CannedResponder : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Thread _thread;
        private readonly byte[] _headResponse;
        private readonly byte[] _getResponse;

        public CannedResponder(int bodySize)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(4);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            string common = "ETag: \"canned\"\r\nLast-Modified: Sun, 22 Nov 2026 10:00:00 GMT\r\nContent-Type: application/octet-stream\r\n" +
                "x-amz-request-id: CANNED\r\n";
            _headResponse = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{common}Content-Length: {bodySize}\r\n\r\n");
            byte[] get = Encoding.ASCII.GetBytes($"HTTP/1.1 206 Partial Content\r\n{common}Content-Range: bytes 0-{bodySize - 1}/{bodySize}\r\nContent-Length: {bodySize}\r\n\r\n");
            _getResponse = [.. get, .. Enumerable.Repeat((byte)'x', bodySize)];
            _thread = new Thread(Serve) { IsBackground = true, Name = "canned-responder" };
            _thread.Start();
        }

        public int Port { get; }

        private void Serve()
        {
            byte[] buffer = new byte[64 * 1024];
            while (true)
            {
                Socket connection;
                try
                {
                    connection = _listener.Accept();
                }
                catch (SocketException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                using (connection)
                {
                    int used = 0;
                    try
                    {
                        while (true)
                        {
                            int end = buffer.AsSpan(0, used).IndexOf("\r\n\r\n"u8);
                            if (end < 0)
                            {
                                int n = connection.Receive(buffer, used, buffer.Length - used, SocketFlags.None);
                                if (n == 0)
                                {
                                    break;
                                }

                                used += n;
                                continue;
                            }

                            connection.Send(buffer[0] == (byte)'H' ? _headResponse : _getResponse);
                            int rest = used - (end + 4);
                            buffer.AsSpan(end + 4, rest).CopyTo(buffer);
                            used = rest;
                        }
                    }
                    catch (SocketException)
                    {
                    }
                }
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }
}

/// <summary>Runs <see cref="AllocationTests"/> with no other test class in parallel.</summary>
[CollectionDefinition(AllocationTests.Serial, DisableParallelization = true)]
public sealed class AllocationTestsRunAlone
{
}
