using Sluice.S3.Http;
using Sluice.Server.Routing;
using Sluice.Server.Semantics;

namespace Sluice.Server.Tests.Routing;

/// <summary>The success path of routing and request rules allocates nothing once a connection's route is warm.</summary>
public sealed class S3RouterAllocationTests
{
    [Fact]
    public void Routing_a_warm_request_does_not_allocate()
    {
        var router = new S3Router();
        var route = new S3Route();
        ReadOnlySpan<byte> path = "/photos/2006/a%20b+c.jpg"u8;
        ReadOnlySpan<byte> query = "uploadId=abc&partNumber=7&X-Amz-Date=20130524T000000Z"u8;
        ReadOnlySpan<byte> etag = "\"900150983cd24fb0d6963f7d28e17f72\""u8;
        var conditions = new ConditionalHeaders(etag, default, default, "Sun, 06 Nov 1994 08:49:37 GMT"u8);
        var modified = new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);
        Assert.Equal(0, Warm(router, route, path, query, etag, conditions, modified));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int failures = Warm(router, route, path, query, etag, conditions, modified);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
        Assert.Equal(S3Operation.UploadPart, route.Operation);
    }

    private static int Warm(S3Router router, S3Route route, ReadOnlySpan<byte> path, ReadOnlySpan<byte> query,
        ReadOnlySpan<byte> etag, in ConditionalHeaders conditions, DateTimeOffset modified)
    {
        // Plain checks, not Assert calls: the assertion library allocates on its own.
        int failures = 0;
        for (int i = 0; i < 100; i++)
        {
            failures += router.Route(KnownMethod.Put, path, query, "photos.localhost:9000"u8, false, route).IsNone ? 0 : 1;
            failures += RangeHeader.Evaluate("bytes=-500"u8, 10_000, out _) == RangeOutcome.Partial ? 0 : 1;
            failures += Preconditions.EvaluateRead(conditions, etag, modified) == ConditionResult.Proceed ? 0 : 1;
        }

        return failures;
    }
}
