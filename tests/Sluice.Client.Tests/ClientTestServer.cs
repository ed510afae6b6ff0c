using System.Net;
using Sluice.Server;

namespace Sluice.Client.Tests;

/// <summary>The embedded server on a free loopback port with a temp data directory, plus a client for it.</summary>
internal sealed class ClientTestServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDCLIENTTEST", Secret = "client/secret+KEY";

    private ClientTestServer(string directory, SluiceServer server)
    {
        Directory = directory;
        Server = server;
    }

    public string Directory { get; }

    public SluiceServer Server { get; }

    public Uri Endpoint => Server.Endpoint;

    public IPEndPoint LocalEndPoint => Server.LocalEndPoint;

    public static async Task<ClientTestServer> StartAsync(string? engine = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-client-" + Guid.NewGuid().ToString("N"));
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = directory,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 1,
            EngineMode = engine,
        });
        return new ClientTestServer(directory, server);
    }

    public S3ClientOptions Options(Uri? endpoint = null) => new()
    {
        Endpoint = endpoint ?? Endpoint,
        AccessKeyId = AccessKey,
        SecretAccessKey = Secret,
    };

    public S3Client CreateClient(Func<S3ClientOptions, S3ClientOptions>? configure = null, string? engine = null)
    {
        S3ClientOptions options = Options();
        if (configure is not null)
        {
            options = configure(options);
        }

        return new S3Client(options, engine is null ? null : Sluice.IO.IoEngine.Create(new Sluice.IO.IoEngineOptions { Mode = engine, ReactorCount = 1 }));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
