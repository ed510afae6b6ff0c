using System.Net;
using Sluice.Server;

namespace Sluice.Client.Tests;

/// <summary>
/// The embedded server on a free loopback port with a temp data directory, plus a client for it speaking one of
/// <see cref="Protocols"/>: HTTP/1.1 to the io_uring front, or HTTP/2 to the server's Kestrel front (h2c, or h2 by
/// ALPN over TLS with a test CA).
/// </summary>
internal sealed class ClientTestServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDCLIENTTEST", Secret = "client/secret+KEY";

    /// <summary>HTTP/1.1 to the io_uring front (the default).</summary>
    public const string Http1 = "http1";

    /// <summary>HTTP/2 with prior knowledge to the Kestrel front.</summary>
    public const string H2c = "h2c";

    /// <summary>HTTP/2 by ALPN over TLS to the Kestrel front.</summary>
    public const string H2 = "h2";

    private ClientTestServer(string directory, SluiceServer server, string protocol)
    {
        Directory = directory;
        Server = server;
        Protocol = protocol;
    }

    /// <summary>Every protocol the client's operation tests run over.</summary>
    public static TheoryData<string> Protocols => new() { Http1, H2c, H2 };

    public string Protocol { get; }

    public string Directory { get; }

    public SluiceServer Server { get; }

    /// <summary>The endpoint the protocol's client talks to.</summary>
    public Uri Endpoint => Protocol == Http1 ? Server.Endpoint : Server.Http2Endpoint!;

    public IPEndPoint LocalEndPoint => Server.LocalEndPoint;

    public static async Task<ClientTestServer> StartAsync(string? engine = null, string protocol = Http1)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-client-" + Guid.NewGuid().ToString("N"));
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = directory,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 1,
            EngineMode = engine,
            ListenHttp2 = protocol == Http1 ? null : new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = protocol == H2 ? TestCertificates.Server : null,
        });
        return new ClientTestServer(directory, server, protocol);
    }

    public S3ClientOptions Options(Uri? endpoint = null) => new()
    {
        Endpoint = endpoint ?? Endpoint,
        AccessKeyId = AccessKey,
        SecretAccessKey = Secret,
        Protocol = Protocol == Http1 ? HttpProtocol.Http11 : HttpProtocol.Http2,
        CaBundlePath = Protocol == H2 ? TestCertificates.CaFile : null,
    };

    /// <summary>Proves the client really spoke the server's protocol: HTTP/2 answers arrived over HTTP/2 (and none
    /// over it on HTTP/1.1), so a test cannot pass by a silent fall back.</summary>
    public void AssertProtocol(S3Client client)
    {
        if (Protocol == Http1)
        {
            Assert.Equal(0, client.Http2Responses);
        }
        else
        {
            Assert.True(client.Http2Responses > 0, "no response arrived over HTTP/2");
        }
    }

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
