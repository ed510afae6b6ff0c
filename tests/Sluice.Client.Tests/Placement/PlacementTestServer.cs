using System.Net;
using Sluice.Server;

namespace Sluice.Client.Tests.Placement;

/// <summary>A real server with shared-memory placement (or without, to see it decline) on a store and a front.</summary>
internal sealed class PlacementTestServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDPLACEMENT", Secret = "placement/secret+KEY";

    private readonly string _directory;

    private PlacementTestServer(SluiceServer server, string directory, string socket, string front)
    {
        Server = server;
        _directory = directory;
        Socket = socket;
        Front = front;
    }

    public SluiceServer Server { get; }

    public string Socket { get; }

    public string Front { get; }

    public Uri Endpoint => Front == "h2c" ? Server.Http2Endpoint! : Server.Endpoint;

    /// <summary>Disk or memory store × the io_uring HTTP/1.1 front or the Kestrel front (h2c).</summary>
    public static TheoryData<string, string> StoresAndFronts => new()
    {
        { "disk", "http1" }, { "memory", "http1" }, { "disk", "h2c" }, { "memory", "h2c" },
    };

    public static async Task<PlacementTestServer> StartAsync(string store = "disk", string front = "http1", bool placement = true)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-placement-" + Guid.NewGuid().ToString("N"));
        string socket = Path.Combine(Path.GetTempPath(), "sluice-pl-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = store == "disk" ? directory : null,
            InMemory = store == "memory",
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            ListenHttp2 = front == "h2c" ? new IPEndPoint(IPAddress.Loopback, 0) : null,
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 1,
            Placement = placement ? "shm" : null,
            PlacementSocket = socket,
        });
        return new PlacementTestServer(server, directory, socket, front);
    }

    public S3ClientOptions Options(PlacementMode mode, long regionBytes = 64L << 20) => new()
    {
        Endpoint = Endpoint,
        AccessKeyId = AccessKey,
        SecretAccessKey = Secret,
        Protocol = Front == "h2c" ? HttpProtocol.Http2 : HttpProtocol.Http11,
        Placement = mode,
        PlacementSocket = Socket,
        PlacementRegionBytes = regionBytes,
    };

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
