using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Auth;
using Sluice.Server.Exchange;
using Sluice.Server.Http;
using Sluice.Server.Index;
using Sluice.Server.Observability;
using Sluice.Server.Routing;
using Sluice.Server.Semantics;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// The S3 server's one <see cref="IExchangeHandler"/>: routes the request (an <see cref="S3Problem"/> is
/// answered as is), authenticates it, then dispatches the <see cref="S3Operation"/> to its
/// <see cref="S3OperationTable"/> row's handler (bucket, object, listing and multipart handlers), which read and write
/// through the service layer (<see cref="ObjectService"/>). A request the handlers refuse is an
/// <see cref="S3RequestException"/>, a storage outcome that is an S3 error an <see cref="S3StorageException"/>; both
/// are answered as S3 XML errors here, at the edge.
/// </summary>
public sealed partial class S3RequestHandler : IExchangeHandler
{
    /// <summary>Largest XML request body read into memory (DeleteObjects of 1000 long keys fits).</summary>
    private const int MaxXmlBodyBytes = 2 << 20;

    /// <summary>S3's largest single PUT (5 GiB).</summary>
    private const long MaxPutSize = 5L << 30;

    private readonly ObjectService _objects;
    private readonly S3Router _router;
    private readonly RequestAuthenticator _auth;
    private readonly string _region;

    public S3RequestHandler(ObjectService objects, S3Router router, RequestAuthenticator authenticator, string region)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(authenticator);
        _objects = objects;
        _router = router;
        _auth = authenticator;
        _region = region ?? "us-east-1";
    }

    /// <summary>Metrics, traces and the access log (<see cref="ServerTelemetry"/>); null: none kept.</summary>
    internal ServerTelemetry? Telemetry { get; init; }

    /// <summary>
    /// The core's entry for every front: serves the request and accounts for it — metrics, the request's activity and
    /// its access log line, with the status the client got even when the handler failed and the front answers.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per request: reuse the state machine box
    public async ValueTask HandleAsync(S3Exchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (exchange.HandlerState is not RequestContext context) exchange.HandlerState = context = new RequestContext();
        var telemetry = Telemetry;
        if (telemetry == null)
        {
            await ServeAsync(exchange, context);
            return;
        }
        long started = Stopwatch.GetTimestamp();
        exchange.BodyBytesRead = 0;
        context.Principal = null;
        context.Route.Reset(); // a request the router refuses must not be logged under the previous one's names
        var activity = telemetry.RequestStarted(exchange);
        Exception? failure = null;
        try
        {
            await ServeAsync(exchange, context);
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            telemetry.RequestEnded(exchange, context.Route, context.Principal, started, failure, activity);
        }
    }

    void IExchangeHandler.OnFrontAnswered(S3Exchange exchange) => Telemetry?.FrontAnswered(exchange);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per request: reuse the state machine box
    private async ValueTask ServeAsync(S3Exchange exchange, RequestContext context)
    {
        try
        {
            var route = context.Route;
            exchange.ScopedHeaders = null;
            var problem = _router.Route(exchange.Request, exchange.HeadBytes.Span, route);
            if (!problem.IsNone)
            {
                await exchange.SendErrorAsync(problem.ToError(route.GetResource()));
                return;
            }
            if (S3OperationTable.Of(route.Operation) is { Unauthenticated: true } open)
            {
                // The CORS preflight: browsers never sign it, so it is answered before authentication and everything after.
                await open.Handler!(this, exchange, context, default);
                return;
            }
            // Only a request carrying Origin to a bucket looks at CORS rules (cached per bucket after the first).
            if (route.HasBucket && exchange.Request.Headers.TryGet(KnownHeader.Origin, out _)) await ApplyCorsAsync(exchange, context);
            context.Caller = null; // a request not yet judged has no caller (never the connection's previous one)
            context.Bucket = null;
            var auth = _auth.Authenticate(exchange, route, out var authError);
            context.Principal = auth.Credential?.AccessKeyId;
            // A form upload carries its signature in the form: an unsigned POST is judged by PostObjectAsync.
            if (authError != null && !(route.Operation == S3Operation.PostObject && auth.Status == SigV4AuthStatus.Anonymous))
            {
                authError.Resource ??= route.GetResource();
                await exchange.SendErrorAsync(authError);
                return;
            }
            // Who may do what: the authorization stage (S3RequestHandler.Access.cs), before anything is read or changed.
            // A form upload is judged for the form's signer by PostObjectAsync.
            if (route.Operation != S3Operation.PostObject && await AuthorizeAsync(exchange, context, auth) is { } denied)
            {
                await exchange.SendErrorAsync(denied);
                return;
            }
            // A header asking for a feature the server lacks (dual-layer KMS, appends...) is refused
            // before anything changes, never ignored.
            problem = UnsupportedFeatureRules.Check(route.Operation, exchange.Request.Headers, exchange.HeadBytes.Span);
            if (!problem.IsNone)
            {
                await exchange.SendErrorAsync(problem.ToError(route.GetResource()));
                return;
            }
            // S3 over RDMA: a token is judged before anything is read or changed (off: one counter read).
            context.Placement = PlacementAction.None;
            if (exchange.Request.Headers.CountOf(KnownHeader.XAmzRdmaToken) != 0 && JudgePlacement(exchange, context, auth) is { } refused)
            {
                refused.Resource ??= route.GetResource();
                await exchange.SendErrorAsync(refused);
                return;
            }
            // The S3 limits emulation (off: one null check): a partition over its budget answers 503 SlowDown.
            if (Limits != null && route.HasKey && !await AdmitAsync(exchange, context)) return;
            try
            {
                await DispatchAsync(exchange, context, auth);
            }
            catch (Exception e) when (!exchange.ResponseStarted && ErrorOf(e) is { } error)
            {
                error.Resource ??= route.GetResource();
                // Whoever may not list the bucket learns nothing of which keys exist: S3 answers them AccessDenied.
                if (error.Code is S3ErrorCode.NoSuchKey or S3ErrorCode.NoSuchVersion && !MayLearnMissingKeys(exchange, context))
                {
                    await exchange.SendErrorAsync(Denied(error.Resource));
                    return;
                }
                if (e is S3StorageException { DeleteMarkerVersionId: { } marker }) await SendDeleteMarkerErrorAsync(exchange, error, marker);
                else await exchange.SendErrorAsync(error);
            }
        }
        finally
        {
            // CORS headers belong to this request's answer only: the front may answer the next one itself.
            exchange.ScopedHeaders = null;
        }
    }

    /// <summary>The S3 error a refused request or a storage outcome carries; null for any other failure (the front's 500).</summary>
    private static S3Error? ErrorOf(Exception e) => e switch
    {
        S3RequestException r => r.Error,
        S3StorageException s => s.Error,
        _ => null,
    };

    /// <summary>Serves the routed operation with its <see cref="S3OperationTable"/> row's handler.</summary>
    private ValueTask DispatchAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        S3OperationHandler? handler = S3OperationTable.Of(c.Route.Operation)?.Handler;
        return handler != null
            ? handler(this, x, c, auth)
            : x.SendErrorAsync(new S3Error(S3ErrorCode.NotImplemented,
                "A header or query you provided implies functionality that is not implemented.") { Resource = c.Route.GetResource() });
    }

    // ---------------------------------------------------------------- responses

    private static ValueTask SendXmlAsync(S3Exchange x, ArrayBufferWriter<byte> body, int status = 200)
    {
        x.SetStatus(status);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        return x.SendAsync(body.WrittenMemory);
    }

    private static ValueTask SendEmptyAsync(S3Exchange x, int status)
    {
        x.SetStatus(status);
        return x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>Header values this long or shorter are encoded on the stack (a GET's content type, ETag...), not in an array.</summary>
    private const int StackHeaderBytes = 256;

    private static void AddHeader(S3Exchange x, KnownHeader header, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (value.Length > StackHeaderBytes / 3) // UTF-8 takes at most 3 bytes per UTF-16 unit
        {
            x.AddHeader(header, Utf8(value));
            return;
        }
        Span<byte> bytes = stackalloc byte[StackHeaderBytes];
        x.AddHeader(header, bytes[..Encoding.UTF8.GetBytes(value, bytes)]);
    }

    private static void AddDateHeader(S3Exchange x, KnownHeader header, DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[32];
        value.UtcDateTime.TryFormat(text, out int n, "R", CultureInfo.InvariantCulture);
        x.AddHeader(header, text[..n]);
    }

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);

    // ---------------------------------------------------------------- request helpers

    /// <summary>A header's value as a string, or null when absent.</summary>
    private static string? Header(S3Exchange x, KnownHeader header)
    {
        if (!x.Request.Headers.TryGet(header, out var field)) return null;
        return Encoding.UTF8.GetString(field.Value.Of(x.HeadBytes.Span));
    }

    private static void ThrowProblem(string code, string? message = null) =>
        throw new S3RequestException(new S3Error(code, message));

    /// <summary>Reads a whole (small, XML) payload into memory; larger than the limit is MalformedXML as S3 answers.</summary>
    /// <summary>
    /// A small XML request body checked against the digests the request sent: Content-MD5 and one x-amz-checksum-*
    /// (in a header or a trailer). Two checksums are InvalidRequest, a malformed MD5 InvalidDigest, a mismatch BadDigest.
    /// With <paramref name="integrityRequired"/> (DeleteObjects) a request sending neither is InvalidRequest, as S3 answers.
    /// </summary>
    private static async ValueTask<byte[]> ReadVerifiedXmlAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth,
        bool integrityRequired = false)
    {
        if (!ObjectHeaders.TryGetChecksum(x, out var algorithm, out string? checksumHeader, out bool inTrailer))
            ThrowProblem(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header.");
        string? contentMd5 = ObjectHeaders.Get(x, KnownHeader.ContentMD5);
        CheckContentMd5Syntax(contentMd5);
        byte[] xml = await ReadSmallPayloadAsync(x, c.Payload, auth);
        string? checksum = checksumHeader ?? (inTrailer ? ObjectHeaders.FindTrailer(c.Payload.Trailers, algorithm) : null);
        if (integrityRequired && contentMd5 == null && checksum == null)
            ThrowProblem(S3ErrorCode.InvalidRequest, "Missing required header for this request: Content-MD5");
        VerifyDigests(xml, contentMd5, algorithm, checksum);
        return xml;
    }

    private static async ValueTask<byte[]> ReadSmallPayloadAsync(S3Exchange x, PayloadReader payload, SigV4AuthResult auth)
    {
        payload.Reset(x, auth);
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            int n = await payload.ReadAsync(memory);
            if (n == 0) break;
            buffer.Advance(n);
            if (buffer.WrittenCount > MaxXmlBodyBytes)
                ThrowProblem(S3ErrorCode.MalformedXML, "The XML you provided was too large.");
        }
        return buffer.WrittenSpan.ToArray();
    }
}
