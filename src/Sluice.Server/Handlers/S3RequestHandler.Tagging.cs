using System.Buffers;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Tagging;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Object and bucket tagging. An object's tags are part of its stored attributes (set by x-amz-tagging on PutObject,
/// CreateMultipartUpload and CopyObject, replaced by PutObjectTagging without touching the bytes, ETag or
/// LastModified); a bucket's tag set is a bucket setting document. Every set is validated whole before anything
/// changes (<see cref="TagRules"/>).
/// </summary>
public sealed partial class S3RequestHandler
{
    internal async ValueTask GetObjectTaggingAsync(S3Exchange x, RequestContext c)
    {
        var metadata = await _objects.HeadAsync(c.Route.GetBucketString(), c.Route.GetKeyString(), VersionIdOf(c));
        AuthorizeObject(x, c, metadata);
        await SendTaggingAsync(x, metadata.Attributes.Tags, metadata.VersionIdHeader);
    }

    internal async ValueTask PutObjectTaggingAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var tags = await ReadTaggingBodyAsync(x, c, auth, forBucket: false);
        var metadata = await _objects.UpdateAttributesAsync(bucket, key, VersionIdOf(c), m =>
        {
            AuthorizeObject(x, c, m);
            return m.Attributes with { Tags = tags };
        });
        await SendVersionedEmptyAsync(x, 200, metadata.VersionIdHeader);
    }

    internal async ValueTask DeleteObjectTaggingAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var metadata = await _objects.UpdateAttributesAsync(bucket, key, VersionIdOf(c), m =>
        {
            AuthorizeObject(x, c, m);
            return m.Attributes with { Tags = [] };
        });
        await SendVersionedEmptyAsync(x, 204, metadata.VersionIdHeader);
    }

    internal async ValueTask GetBucketTaggingAsync(S3Exchange x, RequestContext c)
    {
        await SendBucketSettingAsync(x, c.Route.GetBucketString(), BucketSetting.Tagging, S3ErrorCode.NoSuchTagSet);
    }

    /// <summary>Answers a bucket setting's stored document, or <paramref name="absent"/> (NoSuchTagSet...) without one.</summary>
    private async ValueTask SendBucketSettingAsync(S3Exchange x, string bucket, BucketSetting setting, string absent)
    {
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, setting);
        if (document == null)
            throw new S3RequestException(new S3Error(absent) { Resource = "/" + bucket }.WithDetail("BucketName", bucket));
        var body = new ArrayBufferWriter<byte>(document.Length);
        body.Write(document);
        await SendXmlAsync(x, body);
    }

    internal async ValueTask PutBucketTaggingAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        var tags = await ReadTaggingBodyAsync(x, c, auth, forBucket: true);
        // Stored as the document GET answers; an empty set is no tag set (GetBucketTagging: NoSuchTagSet).
        byte[]? document = null;
        if (tags.Count > 0)
        {
            var tagging = new Tagging();
            foreach (var tag in tags) tagging.TagSet.Add(tag);
            var output = new ArrayBufferWriter<byte>(256);
            tagging.WriteTo(output);
            document = output.WrittenSpan.ToArray();
        }
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Tagging, document);
        await SendEmptyAsync(x, 204);
    }

    internal async ValueTask DeleteBucketTaggingAsync(S3Exchange x, RequestContext c)
    {
        await _objects.SetBucketSettingAsync(c.Route.GetBucketString(), BucketSetting.Tagging, null);
        await SendEmptyAsync(x, 204);
    }

    /// <summary>A Tagging request body, its digests checked (Content-MD5 or x-amz-checksum-*, when sent) and its tag set
    /// validated: MalformedXML, BadDigest, InvalidTag as S3 answers.</summary>
    private static async ValueTask<IReadOnlyList<KeyValuePair<string, string>>> ReadTaggingBodyAsync(S3Exchange x,
        RequestContext c, SigV4AuthResult auth, bool forBucket)
    {
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth);
        var request = Tagging.Read(xml);
        if (!request.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, request.Detail);
        var tags = request.Value!.TagSet.ToArray();
        var problem = TagRules.Validate(tags, forBucket);
        if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        return tags;
    }

    private static ValueTask SendTaggingAsync(S3Exchange x, IReadOnlyList<KeyValuePair<string, string>> tags, string? versionId = null)
    {
        var tagging = new Tagging();
        foreach (var tag in tags) tagging.TagSet.Add(tag);
        var body = new ArrayBufferWriter<byte>(128 + (tags.Count * 96));
        tagging.WriteTo(body);
        return SendVersionedXmlAsync(x, body, versionId);
    }
}
