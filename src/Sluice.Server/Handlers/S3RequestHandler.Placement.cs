using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Placement;
using Sluice.S3.Ranges;
using Sluice.Server.Exchange;
using Sluice.Server.Placement;
using Sluice.Server.Routing;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Direct placement ("S3 over RDMA", docs/placement.md): a request carrying <c>x-amz-rdma-token</c> moves its bytes
/// through client memory the token names instead of the HTTP body. GetObject (whole, ranged, partNumber) places the
/// object's bytes and answers <c>x-amz-rdma-reply</c>, <c>x-amz-rdma-bytes-transferred</c> and Content-Length 0;
/// PutObject and UploadPart pull them, verify the x-amz-checksum-* the request carries and store them atomically.
/// Without a provider (or for another provider's token format) GETs are declined with the body and
/// <c>x-amz-rdma-reply: 501</c>, writes with 501 RDMANotSupported carrying the same header.
/// </summary>
public sealed partial class S3RequestHandler
{
    /// <summary>The placement provider (sluice serve --placement); null: placement off, tokens declined.</summary>
    internal IPlacementProvider? Placement { get; init; }

    /// <summary>
    /// Judges the request's x-amz-rdma-token (only called when it has one): the token must be among the SigV4 signed
    /// headers, and in the provider's format name registered memory with its secret (else 400 InvalidRDMAToken).
    /// </summary>
    private S3Error? JudgePlacement(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        var operation = c.Route.Operation;
        if (operation is not (S3Operation.GetObject or S3Operation.HeadObject or S3Operation.PutObject or S3Operation.UploadPart))
            return null; // the protocol places these four; every other operation is plain HTTP whatever the header says
        var headers = x.Request.Headers;
        var token = headers.GetValue(KnownHeader.XAmzRdmaToken, x.HeadBytes.Span);
        if (headers.CountOf(KnownHeader.XAmzRdmaToken) > 1 || token.IsEmpty || token.Length > PlacementHeaders.MaxTokenLength)
            return InvalidToken("The x-amz-rdma-token header must appear once with a token.");
        // The token decides where bytes go: an unsigned one could be swapped in flight.
        if (!IsTokenSigned(x, auth))
            return InvalidToken("The x-amz-rdma-token header must be among the SigV4 signed headers of an Authorization header.");
        if (operation == S3Operation.HeadObject) return null; // HEAD moves no bytes: it reports the real Content-Length
        var provider = Placement;
        var kind = PlacementTokens.Classify(token);
        if (provider == null || (kind != PlacementTokenKind.Malformed && !provider.Serves(kind)))
        {
            c.Placement = PlacementAction.Decline;
            return null;
        }
        if (!provider.Validate(token))
            return InvalidToken("The x-amz-rdma-token is malformed or names memory this client did not register.");
        if (operation is S3Operation.PutObject or S3Operation.UploadPart && (x.Request.ContentLength > 0 || x.Request.IsChunked))
            return new S3Error(S3ErrorCode.InvalidRequest, "A request with an x-amz-rdma-token carries no body: Content-Length must be 0.");
        c.Placement = PlacementAction.Place;
        return null;
    }

    private static S3Error InvalidToken(string message) => new(S3ErrorCode.InvalidRDMAToken, message);

    /// <summary>True when the Authorization header's SignedHeaders lists x-amz-rdma-token.</summary>
    private static bool IsTokenSigned(S3Exchange x, SigV4AuthResult auth)
    {
        if (!auth.IsAuthenticated || auth.IsSigV2 || auth.Method != SigV4AuthMethod.Header) return false;
        var value = x.Request.Headers.GetValue(KnownHeader.Authorization, x.HeadBytes.Span);
        int at = value.IndexOf("SignedHeaders="u8);
        if (at < 0) return false;
        var list = value[(at + "SignedHeaders="u8.Length)..];
        int end = list.IndexOfAny((byte)',', (byte)' ');
        if (end >= 0) list = list[..end];
        foreach (var range in list.Split((byte)';'))
            if (Ascii.EqualsIgnoreCase(list[range], "x-amz-rdma-token"u8)) return true;
        return false;
    }

    /// <summary>The declined write's answer: 501 RDMANotSupported with x-amz-rdma-reply: 501; the client resends with a body.</summary>
    private static S3RequestException PlacementDeclined(S3Exchange x)
    {
        x.ScopedHeaders = new PlacementDeclineHeaders(x.ScopedHeaders);
        return new S3RequestException(new S3Error(S3ErrorCode.RDMANotSupported,
            "This server does not place this request's bytes directly; send it with a body."));
    }

    /// <summary>
    /// A GET's body (its head is set up: 200 or 206 with ETag, Content-Range...) placed into the token's memory, or,
    /// declined, sent as the body with x-amz-rdma-reply: 501 (the decline style every client understands).
    /// </summary>
    private async ValueTask PlaceReadAsync(S3Exchange x, RequestContext c, IObjectReader reader, ByteRange range)
    {
        int status = x.ResponseStatus;
        PlacementWindow window = default;
        if (c.Placement == PlacementAction.Place
            && Placement!.TryAcquire(x.Request.Headers.GetValue(KnownHeader.XAmzRdmaToken, x.HeadBytes.Span), out window))
        {
            try
            {
                if (range.Length > window.Length)
                {
                    var small = InvalidToken($"The x-amz-rdma-token's buffer holds {window.Length} bytes; the answer has {range.Length}.");
                    small.Resource = c.Route.GetResource();
                    await x.SendErrorAsync(small);
                    return;
                }
                try
                {
                    await window.PlaceAsync(reader, range.Offset, range.Length);
                }
                catch (Exception e) when (e is IOException or Sluice.IO.IoException)
                {
                    // Never a short read reported as success: the client retries (RDMATransferFailed is retryable).
                    await x.SendErrorAsync(new S3Error(S3ErrorCode.RDMATransferFailed, e.Message) { Resource = c.Route.GetResource() });
                    return;
                }
            }
            finally
            {
                window.Release();
            }
            Span<byte> text = stackalloc byte[3];
            status.TryFormat(text, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
            x.AddHeader(KnownHeader.XAmzRdmaReply, text[..n]);
            x.AddHeader(KnownHeader.XAmzRdmaBytesTransferred, range.Length);
            await x.SendHeadAsync(0);
            return;
        }
        x.AddHeader(KnownHeader.XAmzRdmaReply, PlacementHeaders.DeclinedUtf8);
        await (range.Length == 0 ? x.SendHeadAsync(0) : reader.SendAsync(x, range.Offset, range.Length));
    }

    /// <summary>
    /// PutObject through placement: the bytes pulled from the token's memory into the store's writer, the request's
    /// x-amz-checksum-* verified, committed atomically (a failure stores nothing).
    /// </summary>
    private async ValueTask PutPlacedAsync(S3Exchange x, RequestContext c, string bucket, string key, ObjectAttributes attributes,
        WriteCondition? condition, ChecksumAlgorithm algorithm, string? checksumHeader, bool inTrailer, string? contentMd5)
    {
        if (c.Placement == PlacementAction.Decline || await ReadWriteEncryptionAsync(x, bucket) != null) throw PlacementDeclined(x);
        CheckPlacedChecksum(checksumHeader, inTrailer);
        var window = AcquireWindow(x);
        ObjectMetadata metadata;
        try
        {
            if (window.Length > MaxPutSize)
                throw new S3RequestException(new S3Error(S3ErrorCode.EntityTooLarge));
            await using var writer = await _objects.BeginPutAsync(bucket, key, algorithm);
            await PullAsync(window, writer, null);
            metadata = await ObjectService.PutAsync(writer, attributes, contentMd5, checksumHeader, condition);
        }
        finally
        {
            window.Release();
        }
        x.SetStatus(200);
        AddHeader(x, KnownHeader.ETag, metadata.ETag);
        AddChecksumHeaders(x, metadata);
        AddVersionHeader(x, metadata);
        AddExpirationHeader(x, c, metadata);
        x.AddHeader(KnownHeader.XAmzRdmaReply, "200"u8);
        await x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>UploadPart's body pulled from the token's memory (the caller commits, verifying the checksum).</summary>
    private async ValueTask PullPartAsync(S3Exchange x, IBodyWriter writer, S3Checksum? extra)
    {
        var window = AcquireWindow(x);
        try
        {
            if (window.Length > MaxPartSize)
                throw new S3RequestException(new S3Error(S3ErrorCode.EntityTooLarge));
            await PullAsync(window, writer, extra);
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>What a placed write needs before anything is written: a declined one goes back to the client, and one
    /// without an x-amz-checksum-* header is refused — its bytes travel outside the signed request, so only the
    /// checksum vouches for them.</summary>
    private static void CheckPlacedWrite(S3Exchange x, RequestContext c, string? checksumHeader, bool inTrailer)
    {
        if (c.Placement == PlacementAction.Decline) throw PlacementDeclined(x);
        CheckPlacedChecksum(checksumHeader, inTrailer);
    }

    private static void CheckPlacedChecksum(string? checksumHeader, bool inTrailer)
    {
        if (checksumHeader == null || inTrailer)
            ThrowProblem(S3ErrorCode.InvalidRequest, "A request with an x-amz-rdma-token needs an x-amz-checksum-* header over its bytes.");
    }

    private PlacementWindow AcquireWindow(S3Exchange x)
    {
        // Validated when the request was judged; a client that unregistered since (or died) gets the same refusal.
        if (!Placement!.TryAcquire(x.Request.Headers.GetValue(KnownHeader.XAmzRdmaToken, x.HeadBytes.Span), out var window))
            throw new S3RequestException(InvalidToken("The x-amz-rdma-token names memory that is no longer registered."));
        return window;
    }

    private static async ValueTask PullAsync(PlacementWindow window, IBodyWriter writer, S3Checksum? extra)
    {
        try
        {
            await window.PullAsync(writer, extra);
        }
        catch (Exception e) when (e is IOException or Sluice.IO.IoException)
        {
            // The writer is disposed uncommitted by the caller: nothing is stored.
            throw new S3RequestException(new S3Error(S3ErrorCode.RDMATransferFailed, e.Message));
        }
    }
}
