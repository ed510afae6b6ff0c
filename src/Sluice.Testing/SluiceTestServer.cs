using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Sluice.Client;
using Sluice.Server;

namespace Sluice.Testing;

/// <summary>
/// An S3 server for a test suite, in the test process: Sluice's embedded server on its in-memory store (nothing on
/// disk, nothing left behind), on a free loopback port, with an access key of its own. Any S3 client reaches it at
/// <see cref="Endpoint"/> with <see cref="AccessKey"/> / <see cref="SecretKey"/> (path-style addressing); .NET code can
/// also use <see cref="CreateClient"/> or, with no socket at all, <see cref="CreateInProcessHandler"/>. What the
/// store holds is bounded by the memory limit: a write past it is refused with 507 XSluiceStorageFull.
/// <code>
/// await using var s3 = await SluiceTestServer.StartAsync();
/// // s3.Endpoint, s3.AccessKey, s3.SecretKey, s3.Region — or s3.Environment for an AWS SDK or CLI
/// </code>
/// </summary>
public sealed class SluiceTestServer : IAsyncDisposable
{
    /// <summary>The memory limit when none is given: 1 GiB of object bytes.</summary>
    public const long DefaultMemoryLimit = SluiceServerOptions.DefaultMemoryLimit;

    private SluiceTestServer(SluiceServer server, string accessKey, string secretKey)
    {
        Server = server;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    /// <summary>The server itself (its options, its in-process front, how much memory the store holds).</summary>
    public SluiceServer Server { get; }

    /// <summary>The base URL, e.g. http://127.0.0.1:41234 (path-style: buckets are the first path segment).</summary>
    public Uri Endpoint => Server.Endpoint;

    /// <summary>The access key the server takes (random per server).</summary>
    public string AccessKey { get; }

    /// <summary>The secret key of <see cref="AccessKey"/>.</summary>
    public string SecretKey { get; }

    /// <summary>The region requests are signed for.</summary>
    public string Region { get; } = "us-east-1";

    /// <summary>
    /// The environment variables an AWS SDK or the AWS CLI reads to reach this server: AWS_ENDPOINT_URL,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (for a child process's environment). Tools older than
    /// AWS_ENDPOINT_URL (awscli before 2.13) need the endpoint given their own way (<c>--endpoint-url</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AWS_ENDPOINT_URL"] = Endpoint.ToString().TrimEnd('/'),
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_REGION"] = Region,
    };

    /// <summary>Starts a server; <paramref name="memoryLimit"/> bounds the object bytes it holds.</summary>
    public static async Task<SluiceTestServer> StartAsync(long memoryLimit = DefaultMemoryLimit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryLimit);
        string accessKey = "SLUICETEST" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5));
        string secretKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            InMemory = true,
            MemoryLimit = memoryLimit,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [accessKey] = secretKey },
            Reactors = Math.Min(2, System.Environment.ProcessorCount),
        }, cancellationToken).ConfigureAwait(false);
        return new SluiceTestServer(server, accessKey, secretKey);
    }

    /// <summary>A Sluice <see cref="S3Client"/> for this server (dispose it before the server).</summary>
    public S3Client CreateClient() => new(new S3ClientOptions
    {
        Endpoint = Endpoint,
        Region = Region,
        AccessKeyId = AccessKey,
        SecretAccessKey = SecretKey,
        ForcePathStyle = true,
    });

    /// <summary>
    /// An <see cref="HttpMessageHandler"/> that takes an HttpClient's requests to the server with no socket; they must
    /// still be signed for <see cref="Endpoint"/>'s host and port.
    /// </summary>
    public HttpMessageHandler CreateInProcessHandler() => Server.CreateInProcessFront();

    /// <summary>Object and part bytes the store holds now.</summary>
    public long MemoryUsed => Server.MemoryUsed;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Endpoint} (in memory)");

    /// <summary>Stops the server; everything it held is gone.</summary>
    public async ValueTask DisposeAsync() => await Server.StopAsync().ConfigureAwait(false);
}
