using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Client.Credentials;
using Sluice.Client.Model;
using Sluice.Client.Retry;
using Sluice.IO;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Naming;
using Sluice.S3.Ranges;
using Sluice.S3.Xml;

namespace Sluice.Client.Transport;

/// <summary>
/// Sends one S3 request with retries: addressing (path or virtual-hosted style), SigV4 signing per attempt,
/// head writing into the connection's reused buffer, the body from memory or a stream, the response head parsed in
/// place, the body delivered to a <see cref="ResponseSink"/>, and S3 errors turned into <see cref="S3Exception"/>.
/// Ranged reads that fail midway resume from the next byte (If-Match on the first ETag) rather than start over.
/// </summary>
internal sealed class S3Transport : IAsyncDisposable
{
    /// <summary>Largest error body read (S3 error documents are a few hundred bytes).</summary>
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>First allocation for a collected body of unknown length.</summary>
    private const int InitialCollectSize = 16 * 1024;

    /// <summary>Streamed request bodies move through a pooled buffer of this size.</summary>
    private const int StreamCopySize = 256 * 1024;

    /// <summary>Longest request target written from the stack.</summary>
    private const int StackTargetBytes = 2048;

    private readonly S3ClientOptions _options;
    private readonly IoEngine _engine;
    private readonly bool _ownsEngine;
    /// <summary>Distinct secrets a client signs with over its life (one per credential refresh); on overflow the
    /// cache starts over, which costs one key derivation.</summary>
    private const int SigningKeyEntries = 16;

    private readonly RefreshingCredentialsProvider _credentials;
    private readonly bool _ownsCredentials;
    private readonly SigningKeyCache _signingKeys = new(SigningKeyEntries);

    // The signer for the current credentials; replaced (never mutated) when the provider hands out a new set.
    private CredentialSigner _signer;
    private readonly TlsSettings? _tls;
    private readonly RetryBudget _budget;
    private readonly ConcurrentDictionary<string, IExchangePool> _pools = new(StringComparer.OrdinalIgnoreCase);
    private readonly PrefixRateLimiter _prefixRates;
    private readonly string _endpointHost;
    private readonly int _port;
    private readonly string _hostHeader;
    private readonly string _basePath;
    private readonly bool _pathStyle;
    private readonly bool _https;
    private long _throttled;
    private long _throttleRetries;
    private long _quotaExhausted;

    public S3Transport(S3ClientOptions options, IoEngine engine, bool ownsEngine)
    {
        _options = options;
        _engine = engine;
        _ownsEngine = ownsEngine;
        Uri endpoint = options.Endpoint;
        _https = endpoint.Scheme == Uri.UriSchemeHttps;
        if (!_https && endpoint.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The endpoint must be http or https, not {endpoint.Scheme}.", nameof(options));
        }

        _endpointHost = endpoint.IdnHost;
        _port = endpoint.Port;
        _hostHeader = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        _basePath = endpoint.AbsolutePath.TrimEnd('/');
        _pathStyle = options.ForcePathStyle ?? BucketAddressing.DefaultsToPathStyle(endpoint);
        _tls = _https ? new TlsSettings(options.CaBundlePath, options.InsecureSkipTlsVerify) : null;
        IAwsCredentialsProvider provider = options.CredentialsProvider ?? new StaticCredentialsProvider(
            new AwsCredentials(options.AccessKeyId!, options.SecretAccessKey!, options.SessionToken, null, options.Source));
        _credentials = provider as RefreshingCredentialsProvider ?? new RefreshingCredentialsProvider(provider);
        _ownsCredentials = !ReferenceEquals(_credentials, provider);
        _signer = new CredentialSigner(null, null);
        _budget = new RetryBudget(options.Retry.BudgetCapacity);
        _prefixRates = new PrefixRateLimiter(options.Retry.PrefixRate, options.Retry.TimeProvider);
    }

    /// <summary>The per-prefix rates after throttling.</summary>
    public PrefixRateLimiter PrefixRates => _prefixRates;

    /// <summary>What throttling this client met so far.</summary>
    public ThrottlingReport Throttling => new(Interlocked.Read(ref _throttled), Interlocked.Read(ref _throttleRetries),
        Interlocked.Read(ref _quotaExhausted), _prefixRates.Snapshot());

    public S3ClientOptions Options => _options;

    public IoEngine Engine => _engine;

    /// <summary>Retry budget tokens left (diagnostics, tests).</summary>
    public int RetryBudgetAvailable => _budget.Available;

    /// <summary>Connections opened so far, over all hosts.</summary>
    public int ConnectionsOpened
    {
        get
        {
            int total = 0;
            foreach (IExchangePool pool in _pools.Values)
            {
                total += pool.ConnectionsOpened;
            }

            return total;
        }
    }

    /// <summary>Responses received over HTTP/2 so far, over all hosts (the handler's account of the wire protocol).</summary>
    public int Http2Responses
    {
        get
        {
            int total = 0;
            foreach (IExchangePool pool in _pools.Values)
            {
                Http2Pool? h2 = pool as Http2Pool ?? (pool as AutoPool)?.Http2;
                total += h2 is null ? 0 : Volatile.Read(ref h2.Http2Responses);
            }

            return total;
        }
    }

    /// <summary>How requests for <paramref name="bucket"/> (null: none) name it.</summary>
    public S3Addressing AddressingOf(string? bucket) => BucketAddressing.Choose(bucket, _pathStyle, _https);

    /// <summary>Where a request for <paramref name="bucket"/> and <paramref name="key"/> goes: the host to connect
    /// to, the Host header and the path, as sent and as presigned.</summary>
    public (string Host, string HostHeader, string Path) Locate(string? bucket, string? key)
    {
        S3Addressing addressing = AddressingOf(bucket);
        string encodedKey = key is null ? string.Empty : SigV4Encoding.UriEncode(key, keepSlash: true);
        return (BucketAddressing.Host(_endpointHost, bucket, addressing), BucketAddressing.Host(_hostHeader, bucket, addressing),
            BucketAddressing.Path(_basePath, bucket, encodedKey, addressing));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3CallResult> SendAsync(S3Call call, ResponseSink sink, CancellationToken cancellationToken)
    {
        RetryOptions retry = _options.Retry;
        (string host, string hostHeader, string path) = Locate(call.Bucket, call.Key);
        IExchangePool pool = GetPool(host);
        long streamStart = call.BodyStream is { CanSeek: true } s ? s.Position : -1;
        bool streamTouched = false;
        long delivered = 0;
        long objectTotal = -1;
        ObjectMetadata? firstMetadata = null;
        string? resumeETag = null;
        int lastRetryCost = 0;

        for (int attempt = 1; ; attempt++)
        {
            // When the request took its token: it was paced at the rate of that moment, so a throttle answering it says
            // nothing about a rate cut while it waited (stamping the send instead cut a queue's rate once per answer, to
            // the floor).
            long sentAt = _prefixRates.Timestamp();
            if (call.Bucket is not null && retry.PerPrefixSlowDown)
            {
                // Completes at once, allocation-free, unless this request's prefix was throttled and is out of tokens.
                await _prefixRates.WaitAsync(call.Bucket, call.Key, cancellationToken).ConfigureAwait(false);
            }

            if (_options.RequestRateLimit is { } rate)
            {
                await rate.WaitAsync(1, cancellationToken).ConfigureAwait(false);
            }

            // Per attempt: a retry after the credentials were refreshed signs with the new set. A completed ValueTask
            // (the cached set) costs nothing; a failure to get credentials is not an S3 error and is not retried here.
            AwsCredentials credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
            SigV4Signer signer = SignerFor(credentials);
            IHttpExchange? connection = null;
            bool onReactor = false;
            bool reuse = false;
            bool reused = false;
            bool bodyStarted = false;
            long deliveredBefore = delivered;
            TimeSpan? retryAfter = null;
            TimeSpan delay;
            try
            {
                connection = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
                // (Not under a bandwidth limit: its waits resume on a timer thread, off the reactor.)
                if (connection is HttpConnection { IsPlain: true } plain && _options.BandwidthLimit is null && call.BodyStream is null
                    && sink.Kind is SinkKind.Memory or SinkKind.Buffer or SinkKind.None)
                {
                    // The whole exchange then runs inline on the socket's reactor: each send and receive is submitted
                    // and resumed there, instead of an eventfd hand-off in and a thread-pool hop out per operation.
                    // Caller code (streams, buffer writers, TLS) never runs there, so those exchanges stay put.
                    OwnerAwaitable owner = plain.ResumeOnOwner();
                    if (!owner.IsCompleted)
                    {
                        onReactor = true;
                        await owner;
                    }
                }

                reused = connection.Uses > 0;
                connection.BeginRequest();
                long rangeStart = call.RangeStart, rangeEnd = call.RangeEnd;
                bool resuming = delivered > 0 && sink.Kind is SinkKind.Memory or SinkKind.Writer or SinkKind.Stream;
                if (resuming)
                {
                    rangeStart = (call.RangeStart >= 0 ? call.RangeStart : 0) + delivered;
                    rangeEnd = call.RangeEnd >= 0 ? call.RangeEnd : objectTotal - 1;
                }
                else
                {
                    delivered = deliveredBefore = 0;
                }

                SignHeaders(connection.Headers, signer, call, hostHeader, path, rangeStart, rangeEnd, resuming ? resumeETag : null);
                if (call.BodyStream is not null)
                {
                    if (streamTouched && streamStart >= 0)
                    {
                        call.BodyStream.Position = streamStart;
                    }

                    streamTouched = true;
                }

                if (connection is HttpConnection http1)
                {
                    int headLength = WriteHead(http1, call, path);
                    if (call.BodyStream is not null)
                    {
                        await http1.SendAsync(headLength, ReadOnlyMemory<byte>.Empty, false, cancellationToken).ConfigureAwait(false);
                        await SendStreamAsync(http1, call.BodyStream, call.BodyLength, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await http1.SendAsync(headLength, call.Body, true, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    // HTTP/2: the body is written as the handler asks for it, while the head is awaited.
                    ((Http2Exchange)connection).Send(call.Method, path, call.Query, call.Body, call.BodyStream, call.BodyLength,
                        cancellationToken);
                }

                await connection.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
                long headAt = System.Diagnostics.Stopwatch.GetTimestamp();
                S3ResponseHead head = connection.Head;
                int status = head.StatusCode;
                bool hasBody = call.Method != "HEAD" && status is not (204 or 304);
                connection.BeginBody(hasBody);
                if (status is < 200 or >= 300)
                {
                    retryAfter = RetryAfterOf(connection);
                    S3Exception error = await ReadErrorAsync(connection, call, status, cancellationToken).ConfigureAwait(false);
                    reuse = true;
                    throw error;
                }

                if (resuming)
                {
                    CheckResumed(connection, rangeStart);
                }
                else
                {
                    objectTotal = ObjectTotal(connection);
                    if (call.WantMetadata)
                    {
                        firstMetadata = BuildMetadata(connection, headAt);
                        resumeETag = firstMetadata.ETag;
                    }
                    else if (sink.Kind is SinkKind.Memory or SinkKind.Writer or SinkKind.Stream)
                    {
                        resumeETag = GetString(connection, KnownHeader.ETag);
                    }
                }

                string? requestId = call.WantMetadata ? firstMetadata?.RequestId : null;
                byte[]? collected = null;
                int collectedLength = 0;
                bodyStarted = true;
                switch (sink.Kind)
                {
                    case SinkKind.Memory:
                        delivered = await ReadIntoMemoryAsync(connection, sink.Memory, delivered, cancellationToken).ConfigureAwait(false);
                        break;
                    case SinkKind.Writer:
                        delivered = await ReadIntoWriterAsync(connection, sink.Writer!, delivered, cancellationToken).ConfigureAwait(false);
                        break;
                    case SinkKind.Stream:
                        delivered = await ReadIntoStreamAsync(connection, sink.Stream!, delivered, cancellationToken).ConfigureAwait(false);
                        break;
                    case SinkKind.Buffer:
                        (collected, collectedLength) = await CollectAsync(connection, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await connection.DrainAsync(cancellationToken).ConfigureAwait(false);
                        break;
                }

                reuse = true;
                // As the SDKs refund: a first-try success adds a little; a success after retries returns its last retry's cost.
                _budget.Deposit(attempt == 1 ? retry.SuccessRefund : lastRetryCost);
                ObjectMetadata? metadata = firstMetadata;
                if (metadata is not null && sink.Kind is SinkKind.Memory or SinkKind.Writer or SinkKind.Stream
                    && metadata.ContentLength != delivered)
                {
                    metadata = metadata with { ContentLength = delivered };
                }

                return new S3CallResult(status, metadata, delivered, collected, collectedLength, requestId);
            }
            catch (S3Exception e)
            {
                e.Attempts = attempt;
                if (bodyStarted && connection is not null)
                {
                    // What reached the caller stays there; the next attempt asks for the rest only.
                    delivered = deliveredBefore + connection.BodyDelivered;
                }

                // A throttle means the server did not act, so even a non-idempotent request may go again.
                bool safe = call.Idempotent || connection is null || !connection.RequestSent
                    || S3ErrorCode.IsThrottle(e.Code, e.StatusCode)
                    || (call.RetryServerErrors && e.StatusCode >= 500)
                    || (reused && connection.ResponseBytes == 0 && e.Code == S3ClientErrorCodes.ConnectionReset);
                bool rewindable = call.BodyStream is null || streamStart >= 0;
                // Throttling as the SDKs classify it (429 or a throttling code; a bodiless 503 reads as SlowDown),
                // not every 503: ServiceUnavailable is a transient failure and takes the short backoff.
                bool throttled = e.StatusCode == 429 || S3ErrorCode.IsThrottle(e.Code, 0);
                if (throttled)
                {
                    Interlocked.Increment(ref _throttled);
                    if (call.Bucket is not null && retry.PerPrefixSlowDown)
                    {
                        _prefixRates.OnThrottled(call.Bucket, call.Key, sentAt, retry.HonourRetryAfter ? retryAfter : null);
                    }
                }

                if (!e.IsRetryable || !safe || !rewindable || attempt >= retry.MaxAttempts)
                {
                    throw;
                }

                int cost = throttled ? retry.ThrottleRetryCost : IsTimeout(e) ? retry.TimeoutRetryCost : retry.RetryCost;
                if (!_budget.TryWithdraw(cost))
                {
                    Interlocked.Increment(ref _quotaExhausted);
                    throw new RetryQuotaExceededException(e, _budget.Available, cost);
                }

                lastRetryCost = cost;
                if (throttled)
                {
                    Interlocked.Increment(ref _throttleRetries);
                }

                delay = RetryDelay.Compute(retry, attempt, throttled, Random.Shared.NextDouble(), retryAfter);
            }
            finally
            {
                if (connection is not null)
                {
                    await pool.ReturnAsync(connection, reuse).ConfigureAwait(false);
                }

                if (onReactor)
                {
                    // Back to the thread pool: the caller's continuation (and a retry's backoff) must not run on a reactor.
                    await Task.Yield();
                }
            }

            await Task.Delay(delay, retry.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The current credentials, for work that signs outside a request (presigned URLs).</summary>
    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
        _credentials.GetCredentialsAsync(cancellationToken);

    /// <summary>A signer for <paramref name="credentials"/>: the cached one while the set is the same object.</summary>
    public SigV4Signer SignerFor(AwsCredentials credentials)
    {
        CredentialSigner current = Volatile.Read(ref _signer);
        if (ReferenceEquals(current.Credentials, credentials))
        {
            return current.Signer!;
        }

        var signer = new SigV4Signer(credentials.AccessKeyId, credentials.SecretAccessKey, _options.Region,
            credentials.SessionToken, keyCache: _signingKeys);
        // Racing requests may each build one; any of them is right for its own credentials.
        Volatile.Write(ref _signer, new CredentialSigner(credentials, signer));
        return signer;
    }

    private IExchangePool GetPool(string host) =>
        _pools.TryGetValue(host, out IExchangePool? pool) ? pool : _pools.GetOrAdd(host, static (h, t) => t.CreatePool(h), this);

    /// <summary>
    /// The pool for a host by <see cref="S3ClientOptions.Protocol"/>. (A pool made by a losing GetOrAdd race is
    /// never used and holds nothing: pools connect on first rent.)
    /// </summary>
    private IExchangePool CreatePool(string host) => _options.Protocol switch
    {
        HttpProtocol.Http2 => new Http2Pool(_engine, _options, host, _port, _tls),
        HttpProtocol.Auto when _https => new AutoPool(new HostPool(_engine, _options, host, _port, _tls),
            new Http2Pool(_engine, _options, host, _port, _tls), _options),
        _ => new HostPool(_engine, _options, host, _port, _tls),
    };

    /// <summary>Fills and signs the request's headers (the same for both protocols).</summary>
    private void SignHeaders(SigV4HeaderList headers, SigV4Signer signer, in S3Call call, string hostHeader, string path,
        long rangeStart, long rangeEnd, string? ifMatch)
    {
        headers.Clear();
        headers.Add("host", hostHeader);
        if (rangeStart >= 0)
        {
            Span<byte> range = stackalloc byte[RangeHeader.MaxLength];
            RangeHeader.TryFormat(rangeStart, rangeEnd, range, out int n);
            headers.Add("range"u8, range[..n]);
        }

        if (ifMatch is not null)
        {
            headers.Add("if-match", ifMatch);
        }

        if (call.Headers is not null)
        {
            foreach (KeyValuePair<string, string> h in call.Headers)
            {
                if (ifMatch is null || !h.Key.Equals("if-match", StringComparison.OrdinalIgnoreCase))
                {
                    headers.Add(h.Key, h.Value);
                }
            }
        }

        if (call.Chunked is { } chunked)
        {
            chunked.Begin(signer.SignHeaders(headers, call.Method, path, call.Query, chunked.PayloadHash, DateTimeOffset.UtcNow));
            return;
        }

        string payloadHash = call.PayloadHash ?? (call.BodyLength <= 0 ? SigV4PayloadHash.EmptySha256
            : _options.SignPayload && call.BodyStream is null ? SigV4PayloadHash.Sha256Hex(call.Body.Span)
            : SigV4PayloadHash.UnsignedPayload);
        signer.SignHeaders(headers, call.Method, path, call.Query, payloadHash, DateTimeOffset.UtcNow);
    }

    /// <summary>Writes the signed request's HTTP/1.1 head into the connection's head buffer; returns its length.</summary>
    private static int WriteHead(HttpConnection connection, in S3Call call, string path)
    {
        SigV4HeaderList headers = connection.Headers;
        var writer = new HttpHeadWriter(connection.HeadBuffer);
        int targetLength = path.Length + (call.Query is null ? 0 : call.Query.Length + 1);
        byte[]? rented = targetLength > StackTargetBytes ? ArrayPool<byte>.Shared.Rent(targetLength) : null;
        Span<byte> target = rented ?? stackalloc byte[StackTargetBytes];
        try
        {
            int t = Encoding.ASCII.GetBytes(path, target);
            if (call.Query is not null)
            {
                target[t++] = (byte)'?';
                t += Encoding.ASCII.GetBytes(call.Query, target[t..]);
            }

            Span<byte> method = stackalloc byte[16];
            int m = Encoding.ASCII.GetBytes(call.Method, method);
            bool ok = writer.TryWriteRequestLine(method[..m], target[..t]);
            for (int i = 0; ok && i < headers.Count; i++)
            {
                ok = writer.TryWriteHeader(headers.GetName(i), headers.GetValue(i));
            }

            if (ok && call.BodyLength >= 0)
            {
                ok = writer.TryWriteContentLength(call.BodyLength);
            }

            if (!ok || !writer.TryWriteEnd())
            {
                throw new ArgumentException($"The request cannot be written ({writer.Error}): a header value or the key " +
                    "holds characters HTTP does not allow, or the headers exceed 16 KiB.");
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return writer.BytesWritten;
    }

    private static async ValueTask SendStreamAsync(HttpConnection connection, Stream body, long length,
        CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamCopySize);
        try
        {
            long left = length;
            while (left > 0)
            {
                int n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ArgumentException($"The body stream ended {left} bytes before the declared length of {length}.");
                }

                left -= n;
                await connection.SendBodyAsync(buffer.AsMemory(0, n), left == 0, cancellationToken).ConfigureAwait(false);
            }

            if (length == 0)
            {
                await connection.SendBodyAsync(ReadOnlyMemory<byte>.Empty, true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask<long> ReadIntoMemoryAsync(IHttpExchange connection, Memory<byte> destination,
        long delivered, CancellationToken cancellationToken)
    {
        long declared = connection.Head.IsChunked ? -1 : connection.Head.ContentLength;
        if (declared > destination.Length - delivered)
        {
            throw TooSmall(destination.Length, delivered + declared);
        }

        while (true)
        {
            Memory<byte> free = destination[(int)delivered..];
            if (free.IsEmpty)
            {
                if (!(await connection.NextSegmentAsync(1, cancellationToken).ConfigureAwait(false)).IsEmpty)
                {
                    throw TooSmall(destination.Length, -1);
                }

                return delivered;
            }

            int n = await connection.ReadBodyAsync(free, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return delivered;
            }

            delivered += n;
        }
    }

    private static S3Exception TooSmall(int capacity, long needed) => new(S3ClientErrorCodes.DestinationTooSmall, 0,
        needed >= 0 ? $"The body ({needed} bytes) does not fit the destination ({capacity} bytes)."
            : $"The body is larger than the destination ({capacity} bytes).", isRetryable: false);

    private static async ValueTask<long> ReadIntoWriterAsync(IHttpExchange connection, IBufferWriter<byte> writer,
        long delivered, CancellationToken cancellationToken)
    {
        while (true)
        {
            Memory<byte> memory = writer.GetMemory(HttpConnection.ReceiveBufferSize);
            int n = await connection.ReadBodyAsync(memory, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return delivered;
            }

            writer.Advance(n);
            delivered += n;
        }
    }

    private static async ValueTask<long> ReadIntoStreamAsync(IHttpExchange connection, Stream stream, long delivered,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadOnlyMemory<byte> segment = await connection.NextSegmentAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
            if (segment.IsEmpty)
            {
                return delivered;
            }

            await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
            delivered += segment.Length;
        }
    }

    private static async ValueTask<(byte[] Buffer, int Length)> CollectAsync(IHttpExchange connection,
        CancellationToken cancellationToken, int limit = int.MaxValue)
    {
        long declared = connection.Head.IsChunked ? -1 : connection.Head.ContentLength;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(declared > 0 && declared < limit ? (int)declared : InitialCollectSize);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        await connection.DrainAsync(cancellationToken).ConfigureAwait(false);
                        return (buffer, length);
                    }

                    byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int n = await connection.ReadBodyAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return (buffer, length);
                }

                length += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static async ValueTask<S3Exception> ReadErrorAsync(IHttpExchange connection, S3Call call, int status,
        CancellationToken cancellationToken)
    {
        string? requestId = GetString(connection, KnownHeader.XAmzRequestId);
        string? hostId = GetString(connection, KnownHeader.XAmzId2);
        (byte[] body, int length) = await CollectAsync(connection, cancellationToken, MaxErrorBody).ConfigureAwait(false);
        int placementReply = PlacementReplyOf(connection);
        try
        {
            if (length > 0)
            {
                XmlReadResult<S3Error> parsed = S3Error.Read(body.AsMemory(0, length).ToArray());
                if (parsed.Value is { } error)
                {
                    // Retryable or not by S3ErrorCode.IsRetryable, the exception's default.
                    return new S3Exception(error.Code, status, $"{error.Code}: {error.Message}",
                        requestId ?? error.RequestId, hostId ?? error.HostId, error.Resource) { PlacementReply = placementReply };
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        string code = status switch
        {
            304 => S3ClientErrorCodes.NotModified,
            404 => call.NotFoundCode ?? S3ClientErrorCodes.NotFound,
            412 => S3ErrorCode.PreconditionFailed,
            403 => S3ErrorCode.AccessDenied,
            416 => S3ErrorCode.InvalidRange,
            503 => S3ErrorCode.SlowDown,
            500 => S3ErrorCode.InternalError,
            _ => "Http" + status.ToString(CultureInfo.InvariantCulture),
        };
        return new S3Exception(code, status, $"{code}: HTTP {status} for {call.Method} {call.Bucket}/{call.Key}",
            requestId, hostId) { PlacementReply = placementReply };
    }

    /// <summary>The answer's x-amz-rdma-reply (S3 over RDMA), 0 without one (or an unreadable one).</summary>
    private static int PlacementReplyOf(IHttpExchange connection) =>
        int.TryParse(connection.Head.Headers.GetValue(KnownHeader.XAmzRdmaReply, connection.HeadBytes), NumberStyles.None,
            CultureInfo.InvariantCulture, out int reply) ? reply : 0;

    private static bool IsTimeout(S3Exception e) =>
        e.Code is S3ClientErrorCodes.FirstByteTimeout or S3ClientErrorCodes.Stalled or S3ClientErrorCodes.ConnectTimeout;

    /// <summary>A resumed range must start where asked (a server ignoring Range would corrupt the output).</summary>
    private static void CheckResumed(IHttpExchange connection, long expectedStart)
    {
        if (connection.Head.StatusCode != 206
            || !ContentRange.TryParse(connection.Head.Headers.GetValue(KnownHeader.ContentRange, connection.HeadBytes),
                out ByteRange range, out _) || range.Offset != expectedStart)
        {
            throw new S3Exception(S3ClientErrorCodes.MalformedResponse, connection.Head.StatusCode,
                $"Resuming a read at byte {expectedStart}, the server did not answer with that range.", isRetryable: false);
        }
    }

    private static long ObjectTotal(IHttpExchange connection)
    {
        S3ResponseHead head = connection.Head;
        if (head.StatusCode == 206
            && ContentRange.TryParse(head.Headers.GetValue(KnownHeader.ContentRange, connection.HeadBytes), out _, out long total))
        {
            return total;
        }

        return head.ContentLength;
    }

    private static string? GetString(IHttpExchange connection, KnownHeader header) =>
        connection.Head.Headers.TryGet(header, out HttpField f) ? Encoding.UTF8.GetString(f.Value.Of(connection.HeadBytes)) : null;

    private static ObjectMetadata BuildMetadata(IHttpExchange connection, long headAt)
    {
        S3ResponseHead head = connection.Head;
        ReadOnlySpan<byte> bytes = connection.HeadBytes;
        Dictionary<string, string>? user = null;
        var checksums = new ObjectChecksums();
        string? eTag = null, contentType = null, encoding = null, disposition = null, language = null, cacheControl = null;
        string? expires = null, versionId = null, storageClass = null, requestId = null, sse = null, sseCustomer = null, kmsKey = null;
        string? lockMode = null;
        DateTimeOffset? lastModified = null, retainUntil = null;
        bool? legalHold = null;
        int? partsCount = null, tagCount = null;
        (long, long)? range = null;
        long objectSize = head.ContentLength;
        int placementReply = 0;
        long placedBytes = -1;
        foreach (HttpField f in head.Headers.Fields)
        {
            ReadOnlySpan<byte> value = f.Value.Of(bytes);
            switch (f.Header)
            {
                case KnownHeader.ETag: eTag = Encoding.UTF8.GetString(value); break;
                case KnownHeader.LastModified:
                    if (HttpDate.TryParseImfFixdate(value, out DateTimeOffset lm))
                    {
                        lastModified = lm;
                    }

                    break;
                case KnownHeader.ContentType: contentType = Encoding.UTF8.GetString(value); break;
                case KnownHeader.ContentEncoding: encoding = Encoding.UTF8.GetString(value); break;
                case KnownHeader.ContentDisposition: disposition = Encoding.UTF8.GetString(value); break;
                case KnownHeader.ContentLanguage: language = Encoding.UTF8.GetString(value); break;
                case KnownHeader.CacheControl: cacheControl = Encoding.UTF8.GetString(value); break;
                case KnownHeader.Expires: expires = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzVersionId: versionId = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzStorageClass: storageClass = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzRequestId: requestId = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzMpPartsCount:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int pc))
                    {
                        partsCount = pc;
                    }

                    break;
                case KnownHeader.ContentRange:
                    if (ContentRange.TryParse(value, out ByteRange r, out long total))
                    {
                        range = (r.Offset, r.Last);
                        objectSize = total;
                    }

                    break;
                case KnownHeader.XAmzChecksumCrc32: checksums.ChecksumCrc32 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumCrc32C: checksums.ChecksumCrc32C = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumCrc64Nvme: checksums.ChecksumCrc64Nvme = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumSha1: checksums.ChecksumSha1 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumSha256: checksums.ChecksumSha256 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumMd5: checksums.ChecksumMd5 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumSha512: checksums.ChecksumSha512 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumXxHash64: checksums.ChecksumXxHash64 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumXxHash3: checksums.ChecksumXxHash3 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzChecksumXxHash128: checksums.ChecksumXxHash128 = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzServerSideEncryption: sse = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzTaggingCount:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int tc))
                    {
                        tagCount = tc;
                    }

                    break;
                case KnownHeader.XAmzChecksumType: checksums.ChecksumType = Encoding.UTF8.GetString(value); break;
                case KnownHeader.XAmzRdmaReply:
                    placementReply = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int pr) ? pr : -1;
                    break;
                case KnownHeader.XAmzRdmaBytesTransferred:
                    placedBytes = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long pb) ? pb : -1;
                    break;
                case KnownHeader.Unknown:
                    ReadOnlySpan<byte> name = f.Name.Of(bytes);
                    if (name.Length > 11 && Ascii.EqualsIgnoreCase(name[..11], "x-amz-meta-"u8))
                    {
                        user ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        user[Encoding.ASCII.GetString(name[11..]).ToLowerInvariant()] = Encoding.UTF8.GetString(value);
                    }
                    else if (Ascii.EqualsIgnoreCase(name, "x-amz-server-side-encryption-customer-algorithm"u8))
                    {
                        sseCustomer = Encoding.UTF8.GetString(value);
                    }
                    else if (Ascii.EqualsIgnoreCase(name, "x-amz-server-side-encryption-aws-kms-key-id"u8))
                    {
                        kmsKey = Encoding.UTF8.GetString(value);
                    }
                    else if (Ascii.EqualsIgnoreCase(name, "x-amz-object-lock-mode"u8))
                    {
                        lockMode = Encoding.UTF8.GetString(value);
                    }
                    else if (Ascii.EqualsIgnoreCase(name, "x-amz-object-lock-retain-until-date"u8)
                        && DateTimeOffset.TryParse(Encoding.UTF8.GetString(value), CultureInfo.InvariantCulture,
                            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset until))
                    {
                        retainUntil = until;
                    }
                    else if (Ascii.EqualsIgnoreCase(name, "x-amz-object-lock-legal-hold"u8))
                    {
                        legalHold = Ascii.EqualsIgnoreCase(value, "ON"u8);
                    }

                    break;
            }
        }

        return new ObjectMetadata
        {
            StatusCode = head.StatusCode,
            PlacementReply = placementReply,
            PlacedBytes = placedBytes,
            ETag = eTag,
            LastModified = lastModified,
            ContentLength = head.IsChunked ? -1 : head.ContentLength,
            ObjectSize = objectSize,
            Range = range,
            ContentType = contentType,
            ContentEncoding = encoding,
            ContentDisposition = disposition,
            ContentLanguage = language,
            CacheControl = cacheControl,
            Expires = expires,
            VersionId = versionId,
            StorageClass = storageClass,
            PartsCount = partsCount,
            ServerSideEncryption = sse,
            SseCustomerAlgorithm = sseCustomer,
            SseKmsKeyId = kmsKey,
            TagCount = tagCount,
            ObjectLockMode = lockMode,
            ObjectLockRetainUntilDate = retainUntil,
            ObjectLockLegalHold = legalHold,
            UserMetadata = user ?? ObjectMetadata.EmptyMetadata,
            Checksums = checksums,
            RequestId = requestId,
            HeadReceivedTimestamp = headAt,
        };
    }

    /// <summary>The answer's <c>x-amz-retry-after</c> (milliseconds), when valid.</summary>
    private static TimeSpan? RetryAfterOf(IHttpExchange connection)
    {
        ReadOnlySpan<byte> bytes = connection.HeadBytes;
        foreach (HttpField f in connection.Head.Headers.Fields)
        {
            if (Ascii.EqualsIgnoreCase(f.Name.Of(bytes), "x-amz-retry-after"u8))
            {
                return RetryDelay.ParseRetryAfter(f.Value.Of(bytes));
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IExchangePool pool in _pools.Values)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        _pools.Clear();
        if (_ownsCredentials)
        {
            await _credentials.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsEngine)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A credential set and the signer made for it, swapped as one reference.</summary>
    private sealed record CredentialSigner(AwsCredentials? Credentials, SigV4Signer? Signer);
}
