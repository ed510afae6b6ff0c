using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Sluice.S3.Auth;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// A GET of a hot small object allocates (almost) nothing on the server: the same signed request is sent again and
/// again over one keep-alive connection from a raw socket into fixed buffers, so the process's allocations are the
/// server's (plus whatever the runtime itself does meanwhile, which the bound allows for).
/// </summary>
[Collection(nameof(GetAllocationTests))] // alone: other test classes' allocations would count in the process total
public class GetAllocationTests
{
    private const int Warmup = 3000, Measured = 5000;

    /// <summary>Average bytes per GET tolerated: background runtime work (timers, tiering), not per-request garbage.</summary>
    private const double MaxBytesPerGet = 64;

    [Theory]
    [MemberData(nameof(ObjectHandlerTests.Engines), MemberType = typeof(ObjectHandlerTests))]
    public async Task A_cached_4KiB_GET_allocates_under_64_bytes(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/bkt")).Status);
        byte[] body = new byte[4096];
        Random.Shared.NextBytes(body);
        Assert.Equal(200, (await t.Client.PutObjectAsync("bkt", "hot", body)).Status);

        string host = $"127.0.0.1:{t.Server.Endpoint.Port}";
        var headers = new SigV4HeaderList();
        headers.Add("Host", host);
        new SigV4Signer(TestServer.AccessKey, TestServer.Secret, "us-east-1")
            .SignHeaders(headers, "GET", "/bkt/hot", null, SigV4PayloadHash.UnsignedPayload, DateTimeOffset.UtcNow);
        var text = new StringBuilder("GET /bkt/hot HTTP/1.1\r\n");
        for (int i = 0; i < headers.Count; i++) text.Append(headers.GetNameString(i)).Append(": ").Append(headers.GetValueString(i)).Append("\r\n");
        byte[] request = Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, t.Server.Endpoint.Port));
        byte[] buffer = new byte[64 * 1024];
        await Task.Run(() =>
        {
            for (int i = 0; i < Warmup; i++) Get(socket, request, buffer, body.Length);
        });
        using var listener = new AllocationSampler();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Task.Run(() =>
        {
            for (int i = 0; i < Measured; i++) Get(socket, request, buffer, body.Length);
        });
        double perGet = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured;
        Assert.True(perGet < MaxBytesPerGet, $"{perGet.ToString("F1", CultureInfo.InvariantCulture)} bytes allocated per GET: " + listener.Report());
    }

    /// <summary>One GET: the response must be a 200 whose body is exactly <paramref name="bodyLength"/> bytes.</summary>
    private static void Get(Socket socket, byte[] request, byte[] buffer, int bodyLength)
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
        if (!buffer.AsSpan().StartsWith("HTTP/1.1 200 "u8)) throw new InvalidOperationException("not a 200 response");
        if (have != headEnd + bodyLength) throw new InvalidOperationException("more bytes than one response");
    }
}

/// <summary>Runs <see cref="GetAllocationTests"/> with no other test class in parallel.</summary>
[CollectionDefinition(nameof(GetAllocationTests), DisableParallelization = true)]
public sealed class GetAllocationTestsRunAlone;
