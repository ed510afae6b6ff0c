using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Server.Tests.Tls;

/// <summary>
/// A throwaway certificate authority and a server certificate it issued (ECDSA P-256, SAN 127.0.0.1 and localhost,
/// valid for a day), made in the test: no files, no machine trust store. <see cref="Validate"/> checks a presented
/// chain against this CA alone, as a client configured with the CA's PEM does (never "accept anything").
/// </summary>
internal sealed class TestCa : IDisposable
{
    private readonly ECDsa _serverKey;

    public TestCa()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Sluice TLS Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caKeyId = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false);
        caRequest.CertificateExtensions.Add(caKeyId);
        using var caWithKey = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        Root = X509CertificateLoader.LoadCertificate(caWithKey.RawData); // the public part only: what clients trust

        _serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", _serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caKeyId));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var issued = request.Create(caWithKey, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(_serverKey);
        Server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The CA certificate (no key).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The server certificate with its private key.</summary>
    public X509Certificate2 Server { get; }

    public string RootPem => Root.ExportCertificatePem();

    public string ServerCertificatePem => Server.ExportCertificatePem();

    public string ServerKeyPem => _serverKey.ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// A client's check of the server: the chain must end at this CA (and no other root), and the name must match
    /// (SslStream's own host check: only chain errors are re-judged here).
    /// </summary>
    public bool Validate(object? sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Root);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain != null)
            foreach (var element in chain.ChainElements.Skip(1)) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return custom.Build(leaf);
    }

    /// <summary>A socket handler that trusts this CA only.</summary>
    public SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
    };

    /// <summary>Writes the CA's PEM to <paramref name="path"/> (AWS_CA_BUNDLE, --ca-bundle, boto3's verify=).</summary>
    public string WriteRootPem(string path)
    {
        File.WriteAllText(path, RootPem);
        return path;
    }

    public void Dispose()
    {
        Root.Dispose();
        Server.Dispose();
        _serverKey.Dispose();
    }
}
