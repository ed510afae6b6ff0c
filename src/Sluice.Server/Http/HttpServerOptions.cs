using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Sluice.S3.Http;
using Sluice.Server.Observability;

namespace Sluice.Server.Http;

/// <summary>Limits and timeouts of the HTTP/1.1 front. Defaults follow what S3 clients expect of a server.</summary>
public sealed class HttpServerOptions
{
    /// <summary>Head size, header count and line-length limits (the codec's defaults: 16 KiB, 100 headers).</summary>
    public HttpLimits Limits { get; init; }

    /// <summary>
    /// Receive buffer per connection. Holds a whole request head (so at least the head limit) and lets pipelined
    /// requests and small bodies arrive in one receive.
    /// </summary>
    public int ReceiveBufferSize { get; init; } = 64 * 1024;

    /// <summary>A keep-alive connection with no new request for this long is closed quietly.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A request's whole head must arrive within this time of its first byte, else 400 RequestTimeout and the
    /// connection closes: a client trickling bytes (slowloris) cannot hold a connection.
    /// </summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Each body receive must make progress within this time, else 400 RequestTimeout (as S3 answers).</summary>
    public TimeSpan BodyReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bytes per second a request body must average once <see cref="MinRequestBodyDataRateGracePeriod"/> has passed,
    /// counting only the time the server waits for it (Kestrel's MinRequestBodyDataRate: 240 bytes/s after 5 s), else
    /// 400 RequestTimeout and the connection closes: a body trickling a byte every few seconds cannot hold a
    /// connection. 0 turns the check off.
    /// </summary>
    public double MinRequestBodyDataRate { get; init; } = 240;

    /// <summary>How long a request body may wait before <see cref="MinRequestBodyDataRate"/> applies.</summary>
    public TimeSpan MinRequestBodyDataRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Unread request body the server drains to keep a connection alive after a response; beyond it, it closes.</summary>
    public long MaxDrainBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Serve TLS: every accepted connection completes this handshake before its first request (see
    /// <see cref="ForCertificate"/>). Null (the default): cleartext.
    /// </summary>
    public SslServerAuthenticationOptions? Tls { get; init; }

    /// <summary>
    /// With <see cref="Tls"/>: the handshake must finish within this time of the accept, else the connection is
    /// closed, so a client that connects and stays silent (or stalls mid-handshake) cannot hold it.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TLS as this front serves it: TLS 1.2 and 1.3, ALPN offering only http/1.1 (the front speaks nothing else), no
    /// client certificates, and the certificate's chain built once here rather than per handshake.
    /// </summary>
    public static SslServerAuthenticationOptions ForCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"the TLS certificate {certificate.Subject} has no private key", nameof(certificate));
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>Where server-side failures are written, one line each (see <see cref="ServerErrorLog"/>); null: nowhere.</summary>
    public TextWriter? ErrorLog { get; init; }

    /// <summary>
    /// Where server-side failures are logged (<see cref="ServerErrorLog"/>: LogLevel.Error with fields) and the
    /// listener's accept-pressure warnings; takes the place of <see cref="ErrorLog"/> when both are set. Null: the
    /// <see cref="ErrorLog"/> writer, if any.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary><see cref="Logger"/>, else a logger writing <see cref="ErrorLog"/>'s lines; null when neither is set.</summary>
    internal ILogger? ErrorLogger => _errorLogger ??= Logger ?? (ErrorLog is { } w ? new TextWriterErrorLogger(w) : null);
    private ILogger? _errorLogger;

    /// <summary>The Server response header.</summary>
    public string ServerName { get; init; } = "Sluice";
}
