using System.Buffers;
using System.Globalization;
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
}
