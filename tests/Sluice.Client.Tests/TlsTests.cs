using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>
/// https: SslStream over the engine's connection, SNI and host-name checks, and a CA bundle to trust a private CA.
/// A TLS-terminating relay (real SslStream server, certificate from a test CA) sits in front of the embedded server.
/// </summary>
// IAsyncLifetime, not IAsyncDisposable: xunit 2 disposes test classes only through IDisposable/IAsyncLifetime.
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _caFile = Path.Combine(Path.GetTempPath(), $"sluice-ca-{Guid.NewGuid():N}.pem");
    private readonly X509Certificate2 _leaf;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private IPEndPoint? _upstream;
    private Task? _accept;
    private string? _sniSeen;

    public TlsTests()
    {
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Sluice Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(_caFile, ca.ExportCertificatePem());

        using RSA leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        using X509Certificate2 withKey = leaf.CopyWithPrivateKey(leafKey);
        _leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private Uri Start(IPEndPoint upstream, string host)
    {
        _upstream = upstream;
        _listener.Start();
        _accept = AcceptAsync();
        return new Uri($"https://{host}:{((IPEndPoint)_listener.LocalEndpoint).Port}");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await using var tls = new SslStream(new NetworkStream(client, ownsSocket: true));
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificateSelectionCallback = (_, name) =>
                        {
                            _sniSeen = name;
                            return _leaf;
                        },
                    }, _stop.Token);
                    using var server = new TcpClient();
                    await server.ConnectAsync(_upstream!, _stop.Token);
                    await using NetworkStream plain = server.GetStream();
                    await Task.WhenAny(tls.CopyToAsync(plain, _stop.Token), plain.CopyToAsync(tls, _stop.Token));
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
                {
                }
            });
        }
    }

    [Fact]
    public async Task Https_with_a_trusted_ca_bundle_works_and_without_it_fails_typed()
    {
        await using var server = await ClientTestServer.StartAsync();
        Uri endpoint = Start(server.LocalEndPoint, "localhost");

        await using var untrusted = new S3Client(server.Options(endpoint));
        var e = await Assert.ThrowsAsync<S3Exception>(() => untrusted.ListBucketsAsync());
        Assert.Equal(S3ClientErrorCodes.TlsFailed, e.Code);
        Assert.False(e.IsRetryable);

        await using var client = new S3Client(server.Options(endpoint) with { CaBundlePath = _caFile });
        await client.CreateBucketAsync("secure");
        byte[] payload = RandomNumberGenerator.GetBytes(1_500_000);
        await client.PutObjectAsync(new PutObjectRequest("secure", "k"), payload);
        byte[] back = new byte[payload.Length];
        await client.GetObjectAsync(new GetObjectRequest("secure", "k"), back);
        Assert.Equal(payload, back);
        Assert.Equal("localhost", _sniSeen);
        Assert.Equal(1, client.ConnectionsOpened);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_even_with_the_bundle()
    {
        await using var server = await ClientTestServer.StartAsync();
        Uri endpoint = Start(server.LocalEndPoint, "127.0.0.1");
        await using var client = new S3Client(server.Options(endpoint) with { CaBundlePath = _caFile });
        var e = await Assert.ThrowsAsync<S3Exception>(() => client.ListBucketsAsync());
        Assert.Equal(S3ClientErrorCodes.TlsFailed, e.Code);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accept is not null)
        {
            await _accept;
        }

        _leaf.Dispose();
        _stop.Dispose();
        File.Delete(_caFile);
    }
}
