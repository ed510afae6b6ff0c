using System.Buffers;
using System.Globalization;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.S3.Checksums;
using Sluice.S3.Xml;

namespace Sluice.Client;

// Object lock: buckets created with it, the bucket's default retention, each version's retention and legal hold.
public sealed partial class S3Client
{
    /// <summary>
    /// CreateBucket with object lock (x-amz-bucket-object-lock-enabled: true): the bucket is versioned for good and its
    /// versions can be given retention and legal holds. A server without object lock refuses it, which throws.
    /// </summary>
    public Task CreateBucketWithObjectLockAsync(string bucket, CancellationToken cancellationToken = default) =>
        CreateBucketWithObjectLockAsync(bucket, null, cancellationToken);

    /// <summary>CreateBucket with object lock and a canned ACL (x-amz-acl) for the new bucket.</summary>
    public async Task CreateBucketWithObjectLockAsync(string bucket, Model.CannedAcl? acl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        S3Call call = S3Call.Create("PUT", bucket, null, null, idempotent: true);
        call.BodyLength = 0;
        call.Headers = acl is { } canned
            ? [new("x-amz-bucket-object-lock-enabled", "true"), new("x-amz-acl", AclName(canned))]
            : [new("x-amz-bucket-object-lock-enabled", "true")];
        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GetObjectLockConfiguration: ObjectLockEnabled and the default retention (Mode with Days or Years), if any. A
    /// bucket without object lock throws S3's ObjectLockConfigurationNotFoundError.
    /// </summary>
    public Task<ObjectLockConfiguration> GetObjectLockConfigurationAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return SendXmlAsync(S3Call.Create("GET", bucket, null, "object-lock", idempotent: true), ObjectLockConfiguration.Read,
            cancellationToken);
    }

    /// <summary>
    /// PutObjectLockConfiguration: object lock stays enabled; <paramref name="mode"/> ("GOVERNANCE", "COMPLIANCE") with
    /// <paramref name="days"/> or <paramref name="years"/> sets the default retention, all null removes it. On a
    /// versioned bucket without object lock, this turns it on (where the server allows it, as AWS does).
    /// </summary>
    public async Task PutObjectLockConfigurationAsync(string bucket, string? mode = null, int? days = null, int? years = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        if ((mode is null) != (days is null && years is null) || (days is not null && years is not null))
        {
            throw new ArgumentException("A default retention is a mode with either days or years.", nameof(mode));
        }

        var body = new ArrayBufferWriter<byte>();
        new ObjectLockConfiguration { ObjectLockEnabled = "Enabled", Mode = mode, Days = days, Years = years }.WriteTo(body);
        await PutSubresourceXmlAsync(bucket, null, "object-lock", body, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GetObjectRetention of a version (null: the current one): Mode and RetainUntilDate. A version without retention
    /// throws S3's NoSuchObjectLockConfiguration.
    /// </summary>
    public Task<ObjectLockRetention> GetObjectRetentionAsync(string bucket, string key, string? versionId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return SendXmlAsync(S3Call.Create("GET", bucket, key, VersionQuery("retention", versionId), idempotent: true),
            ObjectLockRetention.Read, cancellationToken);
    }

    /// <summary>
    /// PutObjectRetention: <paramref name="mode"/> until <paramref name="retainUntil"/> on a version (null: the current
    /// one); both null remove a GOVERNANCE retention. Shortening or removing a GOVERNANCE retention needs
    /// <paramref name="bypassGovernance"/> (x-amz-bypass-governance-retention); a COMPLIANCE one cannot be.
    /// </summary>
    public async Task PutObjectRetentionAsync(string bucket, string key, string? mode, DateTimeOffset? retainUntil,
        string? versionId = null, bool bypassGovernance = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if ((mode is null) != (retainUntil is null))
        {
            throw new ArgumentException("A retention is a mode and a retain-until date, or neither (removal).", nameof(mode));
        }

        var body = new ArrayBufferWriter<byte>();
        new ObjectLockRetention { Mode = mode, RetainUntilDate = retainUntil }.WriteTo(body);
        List<KeyValuePair<string, string>>? headers = bypassGovernance ? [new("x-amz-bypass-governance-retention", "true")] : null;
        await PutSubresourceXmlAsync(bucket, key, VersionQuery("retention", versionId), body, headers, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>GetObjectLegalHold of a version (null: the current one): true when ON; false when OFF or never set
    /// (S3's NoSuchObjectLockConfiguration).</summary>
    public async Task<bool> GetObjectLegalHoldAsync(string bucket, string key, string? versionId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        try
        {
            ObjectLockLegalHold hold = await SendXmlAsync(S3Call.Create("GET", bucket, key, VersionQuery("legal-hold", versionId), idempotent: true),
                ObjectLockLegalHold.Read, cancellationToken).ConfigureAwait(false);
            return hold.Status == "ON";
        }
        catch (S3Exception e) when (e.Code == Sluice.S3.Errors.S3ErrorCode.NoSuchObjectLockConfiguration)
        {
            return false;
        }
    }

    /// <summary>PutObjectLegalHold: ON (<paramref name="on"/>) or OFF on a version (null: the current one).</summary>
    public async Task PutObjectLegalHoldAsync(string bucket, string key, bool on, string? versionId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var body = new ArrayBufferWriter<byte>();
        new ObjectLockLegalHold { Status = on ? "ON" : "OFF" }.WriteTo(body);
        await PutSubresourceXmlAsync(bucket, key, VersionQuery("legal-hold", versionId), body, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DeleteObject of a version under GOVERNANCE retention, bypassing it (x-amz-bypass-governance-retention).</summary>
    public async Task DeleteObjectVersionBypassingGovernanceAsync(string bucket, string key, string versionId,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        S3Call call = S3Call.Create("DELETE", bucket, key, "versionId=" + Encode(versionId), idempotent: true);
        call.Headers = [new("x-amz-bypass-governance-retention", "true")];
        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The x-amz-object-lock-* headers of a write (PutObject, CreateMultipartUpload, CopyObject).</summary>
    private static void AddObjectLock(ref List<KeyValuePair<string, string>>? headers, string? mode, DateTimeOffset? retainUntil,
        bool? legalHold)
    {
        AddHeader(ref headers, "x-amz-object-lock-mode", mode);
        if (retainUntil is { } until)
        {
            AddHeader(ref headers, "x-amz-object-lock-retain-until-date",
                until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }

        if (legalHold is { } hold)
        {
            AddHeader(ref headers, "x-amz-object-lock-legal-hold", hold ? "ON" : "OFF");
        }
    }

    /// <summary>S3 requires an integrity check on a PutObject with object lock settings: CRC32 unless one is chosen.</summary>
    private static PutObjectRequest WithLockIntegrity(PutObjectRequest request) =>
        request.HasObjectLock && request.ChecksumAlgorithm == ChecksumAlgorithm.None
            ? request with { ChecksumAlgorithm = ChecksumAlgorithm.Crc32 }
            : request;

    private static string VersionQuery(string subresource, string? versionId) =>
        versionId is null ? subresource : subresource + "&versionId=" + Encode(versionId);

    /// <summary>A PUT of a small XML body to a subresource, with the Content-MD5 S3 requires for these.</summary>
    private async Task PutSubresourceXmlAsync(string bucket, string? key, string query, ArrayBufferWriter<byte> body,
        List<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        S3Call call = S3Call.Create("PUT", bucket, key, query, idempotent: true);
        call.Body = body.WrittenMemory;
        call.BodyLength = body.WrittenCount;
        call.PayloadHash = Sluice.S3.Auth.SigV4PayloadHash.Sha256Hex(body.WrittenSpan);
        headers ??= [];
        headers.Add(new("content-md5", ContentMd5(body.WrittenSpan)));
        headers.Add(new("content-type", "application/xml"));
        call.Headers = headers;
        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }
}
