using BenchmarkDotNet.Attributes;
using Sluice.S3.Conditions;
using Sluice.S3.Http;
using Sluice.S3.Ranges;
using Sluice.Server.Routing;

namespace Sluice.Benchmarks;

/// <summary>The success path of routing and the request rules (range, preconditions) for a warm connection's route.</summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private static readonly DateTimeOffset Modified = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);
    private readonly S3Router _router = new();
    private readonly S3Route _route = new();

    [GlobalSetup]
    public void Setup()
    {
        if (RouteAndEvaluate() != 0) throw new InvalidOperationException("Benchmark setup does not route.");
    }

    /// <summary>An UploadPart with a query to parse, a suffix range and an If-Match that holds; 0 when all succeed.</summary>
    [Benchmark]
    [AllocationFree]
    public int RouteAndEvaluate()
    {
        ReadOnlySpan<byte> etag = "\"900150983cd24fb0d6963f7d28e17f72\""u8;
        var conditions = new ConditionalHeaders(etag, default, default, "Sun, 06 Nov 1994 08:49:37 GMT"u8);
        int failures = _router.Route(KnownMethod.Put, "/photos/2006/a%20b+c.jpg"u8,
            "uploadId=abc&partNumber=7&X-Amz-Date=20130524T000000Z"u8, "photos.localhost:9000"u8, false, _route).IsNone ? 0 : 1;
        failures += _route.Operation == S3Operation.UploadPart ? 0 : 1;
        failures += RangeHeader.Evaluate("bytes=-500"u8, 10_000, out _) == RangeOutcome.Partial ? 0 : 1;
        failures += Preconditions.EvaluateRead(conditions, etag, Modified) == ConditionResult.Proceed ? 0 : 1;
        return failures;
    }
}
