using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Sluice.Server.Kestrel;

/// <summary>
/// Lets one cleartext Kestrel endpoint serve HTTP/1.1 and h2c by prior knowledge. Kestrel alone cannot: with both
/// enabled and no TLS it picks HTTP/1.1, having no ALPN to choose by. This connection middleware peeks at the first
/// bytes (consuming none) and, when they are HTTP/2's connection preface, tells Kestrel "h2" the way a TLS handshake
/// would (the ALPN feature, with the TLS connection feature Kestrel looks for first); anything else is HTTP/1.1.
/// Kestrel would then expect :scheme "https"; KestrelFront allows the client's scheme as sent (the core never reads
/// it: SigV4 signs the raw target and Host).
/// </summary>
internal static class PriorKnowledgeDetection
{
    /// <summary>RFC 9113 §3.4: the bytes an HTTP/2 client sends first.</summary>
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeSpan firstBytesTimeout) => next => async connection =>
    {
        bool h2;
        // A connection that sends nothing is closed after the header timeout, as Kestrel would close it.
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            timeout.CancelAfter(firstBytesTimeout);
            try
            {
                bool? detected = await StartsWithPrefaceAsync(connection.Transport.Input, timeout.Token);
                if (detected == null) return; // closed before a byte that decides
                h2 = detected.Value;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return;
            }
        }
        if (h2)
        {
            connection.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledge.Instance);
            connection.Features.Set<ITlsConnectionFeature>(PriorKnowledge.Instance);
        }
        await next(connection);
    };

    /// <summary>True for the HTTP/2 preface, false as soon as a byte differs; null when the input ends first.</summary>
    private static async ValueTask<bool?> StartsWithPrefaceAsync(PipeReader input, CancellationToken cancellationToken)
    {
        var first = new byte[Preface.Length];
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            int n = (int)Math.Min(buffer.Length, first.Length);
            buffer.Slice(0, n).CopyTo(first);
            bool matches = first.AsSpan(0, n).SequenceEqual(Preface[..n]);
            if (!matches || n == Preface.Length)
            {
                // Nothing consumed or examined: the protocol's own reader gets every byte at once.
                input.AdvanceTo(buffer.Start);
                return matches;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }
            input.AdvanceTo(buffer.Start, buffer.End); // a prefix of the preface so far: wait for more
        }
    }

    /// <summary>"h2 was chosen" without TLS: what Kestrel's protocol selection reads.</summary>
    private sealed class PriorKnowledge : ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public static readonly PriorKnowledge Instance = new();

        private static readonly byte[] H2 = "h2"u8.ToArray();

        public ReadOnlyMemory<byte> ApplicationProtocol => H2;

        public X509Certificate2? ClientCertificate { get => null; set => throw new NotSupportedException("no TLS on this connection"); }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
