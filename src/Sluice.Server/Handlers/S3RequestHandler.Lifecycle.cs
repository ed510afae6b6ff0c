using System.Buffers;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Lifecycle;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Get/Put/DeleteBucketLifecycleConfiguration. A configuration is validated whole (MalformedXML, InvalidArgument,
/// InvalidRequest as S3 answers) and stored as a bucket setting in canonical form; rules without an ID get one, as S3
/// gives them. Transitions to other storage classes are refused (501): the server has one tier, and accepting them
/// would promise a move that never happens. <see cref="Lifecycle.LifecycleWorker"/> applies the rules.
/// </summary>
public sealed partial class S3RequestHandler
{
    internal async ValueTask GetBucketLifecycleAsync(S3Exchange x, RequestContext c)
    {
        await SendBucketSettingAsync(x, c.Route.GetBucketString(), BucketSetting.Lifecycle, S3ErrorCode.NoSuchLifecycleConfiguration);
    }

    internal async ValueTask PutBucketLifecycleAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth);
        var read = LifecycleConfiguration.Read(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, read.Detail);
        var configuration = read.Value!;
        var problem = configuration.Validate();
        if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        if (configuration.Rules.Any(r => r.HasTransition))
            ThrowProblem(S3ErrorCode.NotImplemented, "Lifecycle transitions to other storage classes are not implemented.");
        foreach (var rule in configuration.Rules)
            if (rule.Id.Length == 0) rule.Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var canonical = new ArrayBufferWriter<byte>(512);
        configuration.WriteTo(canonical);
        await SetLifecycleAsync(bucket, canonical.WrittenSpan.ToArray());
        await SendEmptyAsync(x, 200);
    }

    internal async ValueTask DeleteBucketLifecycleAsync(S3Exchange x, RequestContext c)
    {
        await SetLifecycleAsync(c.Route.GetBucketString(), null);
        await SendEmptyAsync(x, 204);
    }
}
