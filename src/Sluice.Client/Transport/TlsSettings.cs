using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Client.Transport;

/// <summary>
/// Client TLS: SNI is the endpoint's host name; the server certificate must chain to the system store or to a CA of
/// the configured bundle (custom trust), and match the host name.
/// </summary>
internal sealed class TlsSettings
{
    private readonly X509Certificate2Collection? _extraRoots;
    private readonly bool _insecure;

    public TlsSettings(string? caBundlePath, bool insecure)
    {
        _insecure = insecure;
        if (caBundlePath is not null)
        {
            _extraRoots = [];
            _extraRoots.ImportFromPemFile(caBundlePath);
            if (_extraRoots.Count == 0)
            {
                throw new ArgumentException($"The CA bundle {caBundlePath} holds no certificates.", nameof(caBundlePath));
            }
        }
    }

    public SslClientAuthenticationOptions ClientOptions(string host) => new()
    {
        TargetHost = host,
        EnabledSslProtocols = SslProtocols.None, // the OS default: TLS 1.2 and 1.3
        RemoteCertificateValidationCallback = Validate,
    };

    /// <summary>
    /// TLS over <paramref name="transport"/> (a connection's stream; offering <paramref name="alpn"/> when not null)
    /// within <paramref name="timeout"/>; failures as S3Exceptions (a timeout or an I/O error retryable, a refused
    /// certificate not). The returned stream owns the transport.
    /// </summary>
    public async ValueTask<SslStream> AuthenticateAsync(Stream transport, string host, int port,
        List<SslApplicationProtocol>? alpn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            SslClientAuthenticationOptions options = ClientOptions(host);
            options.ApplicationProtocols = alpn;
            await ssl.AuthenticateAsClientAsync(options, timer.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            bool timedOut = e is OperationCanceledException;
            throw new S3Exception(timedOut ? S3ClientErrorCodes.ConnectTimeout : S3ClientErrorCodes.TlsFailed, 0,
                $"TLS with {host}:{port} failed: {e.Message}", isRetryable: timedOut || e is IOException,
                innerException: e);
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_insecure || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (_extraRoots is null || certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false; // a name mismatch or no certificate is never fixed by extra roots
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(new X509Certificate2(certificate));
    }
}
