using System.Numerics;
using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Naming;

namespace Sluice.Server.Routing;

/// <summary>
/// Classifies a parsed request without touching a socket: addressing (path-style or virtual-hosted), bucket, decoded
/// key and S3 operation, then checks names and the operation's query parameters. Immutable and thread-safe: one per
/// server, shared by all reactors.
/// </summary>
/// <remarks>
/// Dispatch follows the REST API (one path, the method and one subresource selector pick the operation), as declared
/// by the rows of <see cref="S3OperationTable"/>. A selector the server does not implement answers NotImplemented,
/// never another operation's success; two selectors at once answer S3's "Conflicting query string parameters"; a
/// method the resource does not take answers MethodNotAllowed;
/// a HEAD with any selector answers 405, as S3 does (measured by github.com/brekkylab/backlot,
/// backlot/routers/s3.py).
/// </remarks>
public sealed class S3Router
{
    private static readonly ulong BucketScope = ScopeMask(S3Subresources.Bucket);
    private static readonly ulong ObjectScope = ScopeMask(S3Subresources.Object);

    private readonly byte[][] _domains;
    private readonly bool _partNumberReads;

    /// <summary>Creates a router with <paramref name="options"/> (default: <see cref="S3RouterOptions"/>).</summary>
    public S3Router(S3RouterOptions? options = null)
    {
        options ??= new S3RouterOptions();
        _domains = BucketAddressing.NormalizeDomains(options.VirtualHostDomains);
        _partNumberReads = options.PartNumberReads;
    }

    /// <summary>Routes a request parsed by <see cref="S3RequestHead"/> from <paramref name="buffer"/>. The authority
    /// of an absolute-form target takes precedence over Host (RFC 9112 §3.2.2).</summary>
    public S3Problem Route(S3RequestHead head, ReadOnlySpan<byte> buffer, S3Route route)
    {
        ArgumentNullException.ThrowIfNull(head);
        ReadOnlySpan<byte> host = head.Authority.IsEmpty ? head.Headers.GetValue(KnownHeader.Host, buffer) : head.Authority.Of(buffer);
        bool hasCopySource = head.Headers.TryGet(KnownHeader.XAmzCopySource, out _);
        return Route(head.Method, head.Path.Of(buffer), head.Query.Of(buffer), host, hasCopySource, route);
    }

    /// <summary>
    /// Routes one request: <paramref name="path"/> percent-encoded as sent, <paramref name="query"/> without '?',
    /// <paramref name="host"/> the Host value (may carry a port). Fills <paramref name="route"/>; returns the problem
    /// to answer, or <c>default</c> when <see cref="S3Route.Operation"/> is set.
    /// </summary>
    public S3Problem Route(KnownMethod method, ReadOnlySpan<byte> path, ReadOnlySpan<byte> query, ReadOnlySpan<byte> host,
        bool hasCopySource, S3Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        route.Reset();
        if (path.IsEmpty)
        {
            path = "/"u8;
        }

        if (path[0] != '/')
        {
            return S3Problem.Of(S3ErrorCode.InvalidURI);
        }

        Span<byte> names = route.Reserve(host.Length + path.Length);
        HttpSlice bucket, key;
        if (BucketAddressing.TryGetHostBucket(host, _domains, out ReadOnlySpan<byte> label))
        {
            int n = Ascii.ToLower(label, names, out int lowered) == System.Buffers.OperationStatus.Done ? lowered : 0;
            if (!UriDecoding.TryDecode(path[1..], names[n..], plusIsSpace: false, strict: true, out int keyLength))
            {
                return S3Problem.Of(S3ErrorCode.InvalidURI);
            }

            bucket = new HttpSlice(0, n);
            key = new HttpSlice(n, keyLength);
            route.Addressing = S3Addressing.VirtualHosted;
        }
        else
        {
            // The key is the raw remainder after "/bucket/", decoded and nothing else: "..", "//" and trailing
            // slashes are part of it.
            if (!UriDecoding.TryDecode(path[1..], names, plusIsSpace: false, strict: true, out int length))
            {
                return S3Problem.Of(S3ErrorCode.InvalidURI);
            }

            int slash = names[..length].IndexOf((byte)'/');
            bucket = new HttpSlice(0, slash < 0 ? length : slash);
            key = slash < 0 ? default : new HttpSlice(slash + 1, length - slash - 1);
        }

        route.SetNames(bucket, key);
        route.Query.Parse(query);
        S3Problem problem = Classify(method, route, hasCopySource, out S3Operation operation);
        if (!problem.IsNone)
        {
            return problem;
        }

        if (route.HasBucket && !BucketNameRules.IsValid(route.Bucket))
        {
            return S3Problem.Of(S3ErrorCode.InvalidBucketName, null, "BucketName", Encoding.UTF8.GetString(route.Bucket));
        }

        if (route.HasKey)
        {
            problem = ObjectKeyRules.Validate(route.Key);
            if (!problem.IsNone)
            {
                return problem;
            }
        }

        problem = route.Query.Validate(operation, _partNumberReads);
        if (problem.IsNone)
        {
            route.Operation = operation;
        }

        return problem;
    }

    private S3Problem Classify(KnownMethod method, S3Route route, bool hasCopySource, out S3Operation operation)
    {
        operation = S3Operation.None;
        if (method == KnownMethod.Options)
        {
            // A CORS preflight: S3 answers it from the bucket's rules whatever subresource or presign parameters the
            // URL of the actual request carries.
            operation = S3Operation.CorsPreflight;
            return default;
        }

        if (method == KnownMethod.Unknown)
        {
            // An unrecognised method is 501 (RFC 9110 §15.6.2).
            return S3Problem.Of(S3ErrorCode.NotImplemented, "The method is not implemented.");
        }

        S3Query q = route.Query;
        if (!route.HasBucket)
        {
            // The service takes no subresource: its query is not looked at.
            return Select(S3OperationTable.Candidates(S3ResourceLevel.Service, method, -1, hasCopySource), method,
                S3ResourceLevel.Service, q, out operation);
        }

        S3ResourceLevel level = route.HasKey ? S3ResourceLevel.Object : S3ResourceLevel.Bucket;
        if (!S3OperationTable.TakesMethod(level, method))
        {
            return MethodNotAllowed(method, level);
        }

        ulong selectors = q.Selectors & (route.HasKey ? ObjectScope : BucketScope);
        if (BitOperations.PopCount(selectors) > 1)
        {
            return Conflict(selectors);
        }

        int selector = selectors == 0 ? -1 : BitOperations.TrailingZeroCount(selectors);
        S3OperationInfo[]? candidates = S3OperationTable.Candidates(level, method, selector, hasCopySource);
        if (selector >= 0 && candidates == null && !S3OperationTable.ClaimsSelector(level, selector))
        {
            // No subresource has a HEAD form (S3 answers 405 before anything else).
            return method == KnownMethod.Head
                ? MethodNotAllowed(method, level)
                : S3Problem.Of(S3ErrorCode.NotImplemented,
                    $"The '{Encoding.ASCII.GetString(S3Subresources.Table[selector].Name)}' subresource is not implemented.");
        }

        S3Problem selected = Select(candidates, method, level, q, out operation);
        if (selected.IsNone && level == S3ResourceLevel.Object && q.Has(S3QueryParameter.VersionId) && !TakesVersionId(operation))
        {
            // An operation that would ignore the version it was asked about must not answer as if it had used it.
            operation = S3Operation.None;
            return S3Problem.Of(S3ErrorCode.NotImplemented, "This operation does not take a versionId here.");
        }

        return selected;
    }

    /// <summary>The object operations that act on the version <c>versionId</c> names.</summary>
    private static bool TakesVersionId(S3Operation operation) => operation is S3Operation.GetObject or S3Operation.HeadObject
        or S3Operation.DeleteObject or S3Operation.GetObjectTagging or S3Operation.PutObjectTagging
        or S3Operation.DeleteObjectTagging or S3Operation.GetObjectAttributes or S3Operation.GetObjectAcl or S3Operation.PutObjectAcl
        or S3Operation.GetObjectRetention or S3Operation.PutObjectRetention
        or S3Operation.GetObjectLegalHold or S3Operation.PutObjectLegalHold;

    /// <summary>The first of <paramref name="candidates"/> (<see cref="S3OperationTable"/> rows) whose
    /// <see cref="S3OperationInfo.When"/> holds, or its <see cref="S3OperationInfo.Check"/> problem; 405 without one.</summary>
    private S3Problem Select(S3OperationInfo[]? candidates, KnownMethod method, S3ResourceLevel level, S3Query q, out S3Operation operation)
    {
        operation = S3Operation.None;
        if (candidates != null)
        {
            foreach (S3OperationInfo row in candidates)
            {
                if (row.When != null && !row.When(q))
                {
                    continue;
                }

                S3Problem problem = row.Check?.Invoke(q, _partNumberReads) ?? default;
                if (problem.IsNone)
                {
                    operation = row.Operation;
                }

                return problem;
            }
        }

        return MethodNotAllowed(method, level);
    }

    private static S3Problem MethodNotAllowed(KnownMethod method, S3ResourceLevel level) =>
        S3Problem.Of(S3ErrorCode.MethodNotAllowed, null, "Method", MethodName(method), "ResourceType", level switch
        {
            S3ResourceLevel.Service => "SERVICE",
            S3ResourceLevel.Bucket => "BUCKET",
            _ => "OBJECT",
        });

    private static S3Problem Conflict(ulong selectors)
    {
        var names = new List<string>();
        for (ulong s = selectors; s != 0; s &= s - 1)
        {
            names.Add(Encoding.ASCII.GetString(S3Subresources.Table[BitOperations.TrailingZeroCount(s)].Name));
        }

        return S3Problem.InvalidArgument("Conflicting query string parameters: " + string.Join(", ", names), "ResourceType", names[0]);
    }

    private static string MethodName(KnownMethod method) => method switch
    {
        KnownMethod.Get => "GET",
        KnownMethod.Put => "PUT",
        KnownMethod.Post => "POST",
        KnownMethod.Delete => "DELETE",
        KnownMethod.Head => "HEAD",
        KnownMethod.Patch => "PATCH",
        KnownMethod.Trace => "TRACE",
        KnownMethod.Connect => "CONNECT",
        _ => "OPTIONS",
    };

    private static ulong ScopeMask(byte scope)
    {
        ulong mask = 0;
        for (int i = 0; i < S3Subresources.Table.Length; i++)
        {
            if ((S3Subresources.Table[i].Scope & scope) != 0)
            {
                mask |= S3Subresources.Bit(i);
            }
        }

        return mask;
    }
}
