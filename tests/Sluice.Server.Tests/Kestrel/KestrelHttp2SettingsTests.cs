using System.Buffers.Binary;
using System.Net.Sockets;
using Sluice.Server.Kestrel;
using Sluice.Server.Tests.Handlers;

namespace Sluice.Server.Tests.Kestrel;

/// <summary>
/// The HTTP/2 windows and frame size the Kestrel front grants, as a client sees them on the wire: its SETTINGS frame
/// and the connection-level WINDOW_UPDATE that follows it (uploads are paced by these, see KestrelFront.Configure).
/// </summary>
public sealed class KestrelHttp2SettingsTests
{
    private const byte Settings = 0x4, WindowUpdate = 0x8;
    private const ushort InitialWindowSize = 0x4, MaxFrameSize = 0x5;
    private const int DefaultWindow = 65_535;

    [Fact]
    public async Task The_h2c_front_grants_the_sized_stream_and_connection_windows_and_frame_size()
    {
        await using var t = await TestServer.StartAsync(Fronts.KestrelH2c);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(t.Endpoint.Host, t.Endpoint.Port);
        var stream = tcp.GetStream();
        // The client connection preface and an empty SETTINGS frame.
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(new byte[] { 0, 0, 0, Settings, 0, 0, 0, 0, 0 });

        var settings = new Dictionary<ushort, uint>();
        long? connectionIncrement = null;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a failure detector, not a timing
        while (connectionIncrement is null || settings.Count == 0)
        {
            byte[] header = new byte[9];
            await stream.ReadExactlyAsync(header, bound.Token);
            int length = (header[0] << 16) | (header[1] << 8) | header[2];
            byte type = header[3], flags = header[4];
            int streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
            byte[] payload = new byte[length];
            await stream.ReadExactlyAsync(payload, bound.Token);
            if (type == Settings && (flags & 1) == 0)
            {
                for (int i = 0; i + 6 <= length; i += 6)
                {
                    settings[BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2));
                }
            }
            else if (type == WindowUpdate && streamId == 0)
            {
                connectionIncrement = BinaryPrimitives.ReadUInt32BigEndian(payload) & int.MaxValue;
            }
        }

        Assert.Equal((uint)KestrelFront.Http2StreamWindow, settings[InitialWindowSize]);
        Assert.Equal((uint)KestrelFront.Http2MaxFrameSize, settings[MaxFrameSize]);
        // The connection window starts at the protocol's 65,535 and is raised by one WINDOW_UPDATE on stream 0.
        Assert.Equal(KestrelFront.Http2ConnectionWindow - DefaultWindow, connectionIncrement);
        Assert.Equal(4 * 1024 * 1024, KestrelFront.Http2StreamWindow);
        Assert.Equal(16 * 1024 * 1024, KestrelFront.Http2ConnectionWindow);
    }
}
