using System.Net.Sockets;
using Sluice.Client.Model;
using Sluice.Client.Placement;
using Sluice.Client.Transport;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Placement;

namespace Sluice.Client;

/// <summary>
/// Direct placement (S3 over RDMA's protocol with the same-host shared-memory provider, docs/placement.md): a GET
/// into, or a PUT from, a <see cref="PlacementBuffer"/> carved from the registered region sends x-amz-rdma-token and
/// no body; the server moves the bytes between its files and the buffer. Every decline style falls back to HTTP —
/// (a) a 200 with the body and x-amz-rdma-reply: 501 (GET) or an RDMANotSupported error (PUT), (b) any error with
/// x-amz-rdma-reply: 501, (c) a plain 501 — and a server that ignores the token (no reply header) has sent the body.
/// Any other error is the request's error. Placed and declined requests are counted.
/// </summary>
public sealed partial class S3Client
{
    private Task<ShmPlacementClient?>? _registration;
    private long _placedRequests;
    private long _declinedRequests;

    /// <summary>Requests whose bytes the server placed directly.</summary>
    public long PlacedRequests => Interlocked.Read(ref _placedRequests);

    /// <summary>Requests that asked for placement and went over HTTP (declined, or the token ignored).</summary>
    public long DeclinedRequests => Interlocked.Read(ref _declinedRequests);

    /// <summary>
    /// A transfer buffer of <paramref name="length"/> bytes: from the registered placement region when
    /// <see cref="S3ClientOptions.Placement"/> asks for one and it has room, else ordinary memory (HTTP). With
    /// <see cref="PlacementMode.Shm"/>, failing to register the region throws.
    /// </summary>
    public async Task<PlacementBuffer> RentPlacementBufferAsync(int length, CancellationToken cancellationToken = default)
    {
        ShmPlacementClient? placement = await GetPlacementAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (placement != null && placement.TryRent(length, out PlacementBuffer? buffer))
        {
            return buffer!;
        }

        return new PlacementBuffer(new byte[length]);
    }

    /// <summary>True when a placement region is registered with the server.</summary>
    public async Task<bool> HasPlacementAsync() => await GetPlacementAsync().ConfigureAwait(false) != null;

    private Task<ShmPlacementClient?> GetPlacementAsync()
    {
        if (Options.Placement == PlacementMode.Http)
        {
            return Task.FromResult<ShmPlacementClient?>(null);
        }

        Task<ShmPlacementClient?>? current = Volatile.Read(ref _registration);
        if (current != null)
        {
            return current;
        }

        var started = RegisterPlacementAsync();
        return Interlocked.CompareExchange(ref _registration, started, null) ?? started;
    }

    private async Task<ShmPlacementClient?> RegisterPlacementAsync()
    {
        string socket = Options.PlacementSocket ?? Path.Combine(Path.GetTempPath(), "sluice-placement.sock");
        try
        {
            return await ShmPlacementClient.RegisterAsync(socket, Options.PlacementRegionBytes).ConfigureAwait(false);
        }
        catch (Exception e) when (Options.Placement == PlacementMode.Auto && e is SocketException or IOException)
        {
            return null; // no placement socket (or a refusal): Auto goes over HTTP
        }
    }

    private void DisposePlacement()
    {
        if (Volatile.Read(ref _registration) is { IsCompletedSuccessfully: true, Result: { } placement })
        {
            placement.Dispose();
        }
    }

    /// <summary>
    /// GetObject into <paramref name="destination"/>: placed directly when the buffer is registered and the server
    /// accepts, else over HTTP into the same memory. The metadata's ContentLength is the number of bytes written.
    /// </summary>
    public async Task<ObjectMetadata> GetObjectAsync(GetObjectRequest request, PlacementBuffer destination,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.IsRegistered)
        {
            return await GetObjectAsync(request, destination.Memory, cancellationToken).ConfigureAwait(false);
        }

        S3Call call = ReadCall(request, "GET");
        AddHeader(ref call.Headers, PlacementHeaders.Token, destination.Token(destination.Memory.Length));
        S3CallResult result;
        try
        {
            result = await _transport.SendAsync(call, new ResponseSink(destination.Memory), cancellationToken).ConfigureAwait(false);
        }
        catch (S3Exception e) when (IsDecline(e))
        {
            Interlocked.Increment(ref _declinedRequests);
            return await GetObjectAsync(request, destination.Memory, cancellationToken).ConfigureAwait(false);
        }

        ObjectMetadata m = result.Metadata!;
        if (m.PlacementReply is 200 or 206)
        {
            long placed = m.PlacedBytes;
            long? asked = m.Range is { } r ? r.Last - r.First + 1 : null;
            if (placed < 0 || placed > destination.Memory.Length || (asked is { } a && placed != a) || (m.PlacementReply == 206) != m.Range.HasValue)
            {
                throw new S3Exception(S3ClientErrorCodes.PlacementFailed, m.StatusCode,
                    $"The server answered x-amz-rdma-reply {m.PlacementReply} with {placed} bytes transferred for a {destination.Memory.Length}-byte buffer" +
                    (asked is { } x ? $" and a {x}-byte range." : "."), m.RequestId);
            }

            Interlocked.Increment(ref _placedRequests);
            m = m with { ContentLength = placed, ObjectSize = m.Range is null ? placed : m.ObjectSize };
        }
        else
        {
            // Declined with the body (x-amz-rdma-reply: 501), or a server that ignored the token: the body is the data.
            Interlocked.Increment(ref _declinedRequests);
        }

        if (request.ChecksumMode && request.RangeStart is null && request.PartNumber is null)
        {
            VerifyChecksum(m, destination.Memory.Span[..(int)m.ContentLength]);
        }

        return m;
    }

    /// <summary>
    /// PutObject of the first <paramref name="length"/> bytes of <paramref name="source"/>: pulled by the server from
    /// the registered buffer (empty body, UNSIGNED-PAYLOAD, an x-amz-checksum-* over the bytes — CRC64NVME unless the
    /// request names another), else sent as the body.
    /// </summary>
    public async Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, PlacementBuffer source, int length,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)source.Memory.Length, nameof(length));
        ReadOnlyMemory<byte> body = source.Memory[..length];
        if (!source.IsRegistered)
        {
            return await PutObjectAsync(request, body, cancellationToken).ConfigureAwait(false);
        }

        request = WithLockIntegrity(request);
        if (request.ChecksumAlgorithm == ChecksumAlgorithm.None)
        {
            // The bytes travel outside the signed request: a checksum is what vouches for them (the server requires one).
            request = request with { ChecksumAlgorithm = ChecksumAlgorithm.Crc64Nvme };
        }

        string? checksum = WriteChecksum(request.ChecksumAlgorithm, request.ChecksumValue, body.Span);
        S3Call call = WriteCall(request, checksum);
        AddHeader(ref call.Headers, PlacementHeaders.Token, source.Token(length));
        call.Body = ReadOnlyMemory<byte>.Empty;
        call.BodyLength = 0;
        call.PayloadHash = SigV4PayloadHash.UnsignedPayload;
        S3CallResult result;
        try
        {
            result = await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
        }
        catch (S3Exception e) when (IsDecline(e))
        {
            Interlocked.Increment(ref _declinedRequests);
            return await PutObjectAsync(request with { ChecksumValue = checksum }, body, cancellationToken).ConfigureAwait(false);
        }

        if (result.Metadata!.PlacementReply != 200 && length > 0)
        {
            // A success without the reply means a server that ignored the token (and its checksum): send the bytes.
            Interlocked.Increment(ref _declinedRequests);
            return await PutObjectAsync(request with { ChecksumValue = checksum }, body, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _placedRequests);
        return ToPutResponse(result);
    }

    /// <summary>
    /// An explicit decline: any error carrying x-amz-rdma-reply: 501 (styles a and b), or a plain 501 (style c). A 4xx
    /// without the reply header is the request's own error.
    /// </summary>
    private static bool IsDecline(S3Exception e) =>
        e.PlacementReply == PlacementHeaders.Declined || (e.StatusCode == 501 && e.PlacementReply == 0)
        || e.Code == S3ErrorCode.RDMANotSupported;
}
