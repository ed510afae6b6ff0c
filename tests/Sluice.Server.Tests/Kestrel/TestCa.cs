using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Server.Tests.Kestrel;

/// <summary>
/// A certificate authority made for the test run, and a server certificate it issued for 127.0.0.1 and localhost.
/// Clients trust the CA only (HttpClient through <see cref="Validate"/>, awscli and boto3 through <see cref="CaFile"/>),
/// never "any certificate".
/// </summary>
internal static class TestCa
{
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Server, string CaFile)> s_made = new(Make);

    /// <summary>The CA certificate (public part).</summary>
    public static X509Certificate2 Ca => s_made.Value.Ca;

    /// <summary>The server's certificate with its private key.</summary>
    public static X509Certificate2 Server => s_made.Value.Server;

    /// <summary>The CA as a PEM file (AWS_CA_BUNDLE, boto3's verify=, curl's --cacert).</summary>
    public static string CaFile => s_made.Value.CaFile;

    private static (X509Certificate2, X509Certificate2, string) Make()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Sluice Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caSki = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki));
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(16));
        var server = issued.CopyWithPrivateKey(serverKey);

        string file = Path.Combine(Path.GetTempPath(), $"sluice-test-ca-{Environment.ProcessId}-{Guid.NewGuid():N}.pem");
        File.WriteAllText(file, ca.ExportCertificatePem() + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(file);
        return (X509CertificateLoader.LoadCertificate(ca.RawData), server, file);
    }

    /// <summary>
    /// A server-certificate check that accepts a chain ending at the test CA (and a name that matched) only: the
    /// system's roots are not consulted.
    /// </summary>
    public static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate == null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(presented);
    }
}
