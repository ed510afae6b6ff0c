using Sluice.S3.Auth;
using Sluice.S3.Http;

namespace Sluice.Client.Transport;

/// <summary>
/// One request/response exchange as the transport drives it, per attempt: an HTTP/1.1 <see cref="HttpConnection"/>
/// (its head parsed in place from the receive buffer) or an <see cref="Http2Exchange"/> (a stream of an HTTP/2
/// connection, its response head rendered into the same parsed form). Everything after the request is sent —
/// status, headers, metadata, the body into the caller's sink, errors — is read through this, so it is written once.
/// </summary>
internal interface IHttpExchange
{
    /// <summary>The request's headers, signed in place by the transport.</summary>
    SigV4HeaderList Headers { get; }

    /// <summary>Requests completed on this exchange's connection before (more than 0: a pooled keep-alive connection).</summary>
    int Uses { get; }

    /// <summary>The final response head (valid after <see cref="ReadHeadAsync"/>).</summary>
    S3ResponseHead Head { get; }

    /// <summary>The bytes <see cref="Head"/>'s slices point into.</summary>
    ReadOnlySpan<byte> HeadBytes { get; }

    /// <summary>Response bytes received for the current request (0 = the server said nothing).</summary>
    long ResponseBytes { get; }

    /// <summary>Body bytes handed to the caller for the current response.</summary>
    long BodyDelivered { get; }

    /// <summary>True once the request may have reached the server in full (retries of non-idempotent requests depend on it).</summary>
    bool RequestSent { get; }

    /// <summary>Prepares for a new request.</summary>
    void BeginRequest();

    /// <summary>Waits for the final response head, under the first-byte timeout.</summary>
    ValueTask ReadHeadAsync(CancellationToken cancellationToken);

    /// <summary>Starts reading the body (none for HEAD, 204 and 304).</summary>
    void BeginBody(bool hasBody);

    /// <summary>Reads body bytes into <paramref name="destination"/>; 0 at the end, a cut body throws TruncatedBody.</summary>
    ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>The next body bytes (at most <paramref name="max"/>), valid until the next call; empty at the end.</summary>
    ValueTask<ReadOnlyMemory<byte>> NextSegmentAsync(int max, CancellationToken cancellationToken);

    /// <summary>Reads and discards the rest of the body.</summary>
    ValueTask DrainAsync(CancellationToken cancellationToken);
}
