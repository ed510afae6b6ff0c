using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Index;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

public sealed partial class S3RequestHandler
{
    /// <summary>The S3 limits emulation (<c>--emulate-s3-limits</c>); null: off, and no request pays for it.</summary>
    internal S3LimitsEmulation? Limits { get; init; }

    /// <summary>True when the server has no users file: its one user (every key acts as it) is its operator.</summary>
    internal bool SingleUser { get; init; }

    /// <summary>
    /// Takes the object request from its partition's budget, or answers it 503 SlowDown with x-amz-retry-after and
    /// returns false. GET and HEAD spend the read budget; PUT, POST and DELETE (copies, uploads, deletes) the write budget.
    /// </summary>
    private async ValueTask<bool> AdmitAsync(S3Exchange x, RequestContext c)
    {
        var route = c.Route;
        if (!_objects.Storage.TryGetKeyIndex(route.Bucket, out var index))
        {
            try
            {
                index = await _objects.GetKeyIndexAsync(route.GetBucketString());
            }
            catch (S3StorageException)
            {
                return true; // no such bucket: the operation answers it
            }
        }
        var method = x.Request.Method;
        bool write = method is not (KnownMethod.Get or KnownMethod.Head);
        if (Limits!.TryAdmit(index!, route.Key, write, out long retryAfter)) return true;
        await SendSlowDownAsync(x, route.GetResource(), retryAfter);
        return false;
    }

    /// <summary>S3's 503 SlowDown, and when the partition admits a request again (x-amz-retry-after, milliseconds).</summary>
    private static ValueTask SendSlowDownAsync(S3Exchange x, string resource, long retryAfterMilliseconds)
    {
        var error = new S3Error(S3ErrorCode.SlowDown, "Please reduce your request rate.")
        {
            Resource = resource,
            RequestId = x.RequestId.ToString("X16", CultureInfo.InvariantCulture),
        };
        var body = new ArrayBufferWriter<byte>(512); // the refused path: allocation is fine here
        error.WriteTo(body);
        x.SetStatus(error.HttpStatus);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        Span<byte> digits = stackalloc byte[20];
        retryAfterMilliseconds.TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
        x.AddHeader("x-amz-retry-after"u8, digits[..n]);
        return x.Request.Method == KnownMethod.Head ? x.SendHeadAsync(0) : x.SendAsync(body.WrittenMemory);
    }

    /// <summary>
    /// GET /bucket?sluice-partitions: the bucket's key-index partitions as JSON — each range, its key count, request
    /// counts and decaying rates, and requests the emulation throttled. The administrator's only (on a server without a
    /// users file, its one user's): it shows key names and load across the server that a bucket's users may not be
    /// meant to see.
    /// </summary>
    internal async ValueTask GetBucketPartitionsAsync(S3Exchange x, RequestContext c)
    {
        bool operatorCaller = c.Caller is { IsAdmin: true } || (SingleUser && c.Caller is { IsAnonymous: false });
        if (!operatorCaller) throw DeniedException(c.Route.GetResource());
        string bucket = c.Route.GetBucketString();
        var index = await _objects.GetKeyIndexAsync(bucket);
        var map = index.GetPartitionMap();
        var body = new ArrayBufferWriter<byte>(256 + (map.Count * 192));
        using (var w = new Utf8JsonWriter(body, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("bucket", bucket);
            if (Limits?.Budget is { } budget)
            {
                w.WriteStartObject("emulation");
                w.WriteString("profile", budget.Name);
                w.WriteNumber("readsPerSecond", budget.ReadsPerSecond);
                w.WriteNumber("writesPerSecond", budget.WritesPerSecond);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("emulation");
            }
            w.WriteNumber("keys", index.Count);
            w.WriteStartArray("partitions");
            foreach (var p in map)
            {
                w.WriteStartObject();
                // Decoded leniently: a boundary cut from a sampled key is UTF-8, but shown even if it were not.
                w.WriteString("low", Encoding.UTF8.GetString(p.LowKey.Span));
                if (p.HighKey.IsEmpty) w.WriteNull("high");
                else w.WriteString("high", Encoding.UTF8.GetString(p.HighKey.Span));
                w.WriteNumber("keys", p.KeyCount);
                w.WriteNumber("reads", p.Reads);
                w.WriteNumber("writes", p.Writes);
                w.WriteNumber("throttled", p.Throttled);
                w.WriteNumber("readRate", Math.Round(p.ReadRate, 3));
                w.WriteNumber("writeRate", Math.Round(p.WriteRate, 3));
                w.WriteNumber("throttledRate", Math.Round(p.ThrottledRate, 3));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        x.SetStatus(200);
        x.AddHeader(KnownHeader.ContentType, "application/json"u8);
        await x.SendAsync(body.WrittenMemory);
    }
}
