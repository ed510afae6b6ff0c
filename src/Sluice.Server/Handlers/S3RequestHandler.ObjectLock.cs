using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Object lock (WORM): buckets created with <c>x-amz-bucket-object-lock-enabled: true</c> (versioning enabled with
/// them, for good), the bucket's default retention (Get/PutObjectLockConfiguration), each version's retention
/// (GOVERNANCE, COMPLIANCE) and legal hold (Get/PutObjectRetention, Get/PutObjectLegalHold, or the
/// <c>x-amz-object-lock-*</c> headers of a write), and the refusals S3 makes: a version under retention or legal hold
/// is not removed (403 AccessDenied) — checked by the store atomically with the removal (<see cref="WriteCondition.EvaluateLock"/>)
/// — and a retention is not shortened, removed or weakened except a GOVERNANCE one with
/// <c>x-amz-bypass-governance-retention: true</c>. Lock state is stored with the version (<see cref="ObjectAttributes"/>),
/// so it is as durable as the version itself.
/// </summary>
public sealed partial class S3RequestHandler
{
    private const string GovernanceMode = "GOVERNANCE";
    private const string ComplianceMode = "COMPLIANCE";
    private const string LockModeHeader = "x-amz-object-lock-mode";
    private const string RetainUntilHeader = "x-amz-object-lock-retain-until-date";
    private const string LegalHoldHeader = "x-amz-object-lock-legal-hold";
    private const string BypassHeader = "x-amz-bypass-governance-retention";
    private const string LockedMessage = "Access Denied because object protected by object lock.";
    private const string MissingLockMessage = "Bucket is missing Object Lock Configuration";

    /// <summary>Longest default retention S3 accepts (100 years).</summary>
    private const int MaxRetentionYears = 100;

    /// <summary>Each bucket's object lock configuration as last read (null: no object lock), so a write does not read
    /// the setting from the store each time. Changed only through this handler (CreateBucket, PutObjectLockConfiguration,
    /// DeleteBucket), which updates it.</summary>
    private readonly ConcurrentDictionary<string, BucketObjectLock?> _bucketLocks = new(StringComparer.Ordinal);
    private int _lockGeneration;

    /// <summary>A bucket with object lock; its default retention (<see cref="Mode"/> null: none).</summary>
    private sealed record BucketObjectLock(string? Mode, int Days, int Years)
    {
        public DateTimeOffset DefaultUntil(DateTimeOffset now) => Years > 0 ? now.AddYears(Years) : now.AddDays(Days);
    }

    /// <summary>What a write asks for (or the bucket's default gives): stored on the new version.</summary>
    private sealed record ObjectLockWrite(string? Mode, DateTimeOffset? RetainUntil, bool? LegalHold)
    {
        public ObjectAttributes Apply(ObjectAttributes attributes) => attributes with
        {
            LockMode = Mode,
            RetainUntil = Mode == null ? null : RetainUntil,
            LegalHold = LegalHold == true,
            LegalHoldSet = LegalHold != null,
        };
    }

    // ---------------------------------------------------------------- the bucket's configuration

    private async ValueTask<BucketObjectLock?> GetBucketLockAsync(string bucket)
    {
        if (_bucketLocks.TryGetValue(bucket, out var known)) return known;
        int generation = Volatile.Read(ref _lockGeneration);
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, BucketSetting.ObjectLock);
        BucketObjectLock? configuration = null;
        if (document != null)
        {
            var read = ObjectLockConfiguration.Read(document);
            // The stored document is the canonical one this handler wrote; unreadable means damage, not "no lock".
            if (!read.IsSuccess) throw new InvalidDataException($"bucket {bucket}: stored object lock configuration: {read.Detail}");
            var c = read.Value!;
            configuration = new BucketObjectLock(c.Mode, c.Days ?? 0, c.Years ?? 0);
        }
        lock (_bucketLocks)
        {
            // A configuration changed while this one was read must not be cached over the change.
            if (generation == _lockGeneration) _bucketLocks[bucket] = configuration;
        }
        return configuration;
    }

    private void ForgetBucketLock(string bucket)
    {
        lock (_bucketLocks)
        {
            _lockGeneration++;
            _bucketLocks.TryRemove(bucket, out _);
        }
    }

    /// <summary>
    /// CreateBucket's <c>x-amz-bucket-object-lock-enabled</c>: true when it asks for object lock (the value was
    /// checked by <see cref="Semantics.UnsupportedFeatureRules"/>: true or false).
    /// </summary>
    private static bool AsksForObjectLock(S3Exchange x) =>
        FindHeader(x, "x-amz-bucket-object-lock-enabled")?.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// A bucket just created with object lock: versioning Enabled, then the lock configuration (each setting durable
    /// before the next; the client hears success only after both).
    /// </summary>
    private async ValueTask EnableObjectLockOnNewBucketAsync(string bucket)
    {
        var versioning = new ArrayBufferWriter<byte>(128);
        new VersioningConfiguration { Status = "Enabled" }.WriteTo(versioning);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Versioning, versioning.WrittenSpan.ToArray());
        var document = new ArrayBufferWriter<byte>(128);
        new ObjectLockConfiguration { ObjectLockEnabled = "Enabled" }.WriteTo(document);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.ObjectLock, document.WrittenSpan.ToArray());
        ForgetBucketLock(bucket);
    }

    /// <summary>PutBucketVersioning on a bucket with object lock may not suspend it (409 InvalidBucketState).</summary>
    private async ValueTask RefuseSuspendingLockedBucketAsync(string bucket, string? status)
    {
        if (status == "Suspended" && await GetBucketLockAsync(bucket) != null)
            ThrowProblem(S3ErrorCode.InvalidBucketState,
                "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
    }

    internal async ValueTask GetObjectLockConfigurationAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        await SendBucketSettingAsync(x, bucket, BucketSetting.ObjectLock, S3ErrorCode.ObjectLockConfigurationNotFoundError);
    }

    /// <summary>
    /// PutObjectLockConfiguration: ObjectLockEnabled=Enabled with an optional Rule/DefaultRetention (Mode and Days or
    /// Years, positive). On a bucket without object lock it turns object lock on when versioning is Enabled (as AWS
    /// now allows for existing buckets), and is 409 InvalidBucketState otherwise. Object lock is never turned off.
    /// </summary>
    internal async ValueTask PutObjectLockConfigurationAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        RefuseUnsupportedLockRequestHeaders(x);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        var read = ObjectLockConfiguration.Read(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        var configuration = read.Value!;
        if (configuration.ObjectLockEnabled != "Enabled") ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        var canonical = new ObjectLockConfiguration { ObjectLockEnabled = "Enabled" };
        if (configuration.HasRule)
        {
            // A Rule holds exactly one DefaultRetention: a mode and either Days or Years.
            if (!configuration.HasDefaultRetention || configuration.Mode is not (GovernanceMode or ComplianceMode)
                || (configuration.Days == null) == (configuration.Years == null))
                ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
            int period = configuration.Days ?? configuration.Years!.Value;
            if (period <= 0) ThrowProblem(S3ErrorCode.InvalidRetentionPeriod, "Default retention period must be a positive integer value.");
            if ((configuration.Years ?? 0) > MaxRetentionYears || (configuration.Days ?? 0) > MaxRetentionYears * 365)
                ThrowProblem(S3ErrorCode.InvalidRetentionPeriod, "Default retention period too large.");
            canonical.Mode = configuration.Mode;
            canonical.Days = configuration.Days;
            canonical.Years = configuration.Years;
        }
        if (await GetBucketLockAsync(bucket) == null && await _objects.GetVersioningAsync(bucket) != VersioningState.Enabled)
            ThrowProblem(S3ErrorCode.InvalidBucketState, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
        var document = new ArrayBufferWriter<byte>(256);
        canonical.WriteTo(document);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.ObjectLock, document.WrittenSpan.ToArray());
        ForgetBucketLock(bucket);
        await SendEmptyAsync(x, 200);
    }

    /// <summary>x-amz-request-payer and the like need nothing here; a token for a bucket-level lock is refused.</summary>
    private static void RefuseUnsupportedLockRequestHeaders(S3Exchange x)
    {
        // x-amz-bucket-object-lock-token belongs to S3 Replication's lock tokens, which this server does not issue.
        if (FindHeader(x, "x-amz-bucket-object-lock-token") != null)
            ThrowProblem(S3ErrorCode.NotImplemented, "Object lock tokens (x-amz-bucket-object-lock-token) are not implemented.");
    }

    // ---------------------------------------------------------------- a version's retention and legal hold

    /// <summary>The bucket's lock, or 400 InvalidRequest as S3 answers a retention or legal hold request without one.</summary>
    private async ValueTask<BucketObjectLock> RequireBucketLockAsync(string bucket)
    {
        await _objects.GetBucketAsync(bucket);
        return await GetBucketLockAsync(bucket)
            ?? throw new S3RequestException(new S3Error(S3ErrorCode.InvalidRequest, MissingLockMessage));
    }

    internal async ValueTask GetObjectRetentionAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        await RequireBucketLockAsync(bucket);
        var metadata = await _objects.HeadAsync(bucket, key, VersionIdOf(c));
        var a = metadata.Attributes;
        if (a.LockMode == null)
            ThrowProblem(S3ErrorCode.NoSuchObjectLockConfiguration, "The specified object does not have a ObjectLock configuration");
        var body = new ArrayBufferWriter<byte>(256);
        new ObjectLockRetention { Mode = a.LockMode, RetainUntilDate = a.RetainUntil }.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    /// <summary>
    /// PutObjectRetention: sets, extends, or (GOVERNANCE, with the bypass) shortens or removes a version's retention.
    /// The rules are checked against the version's current retention inside the store's update, so two concurrent
    /// requests cannot both shorten it.
    /// </summary>
    internal async ValueTask PutObjectRetentionAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        await RequireBucketLockAsync(bucket);
        string? versionId = VersionIdOf(c);
        bool bypass = AsksToBypassGovernance(x, c);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        var read = ObjectLockRetention.Read(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        var retention = read.Value!;
        if (retention.Mode is not (null or GovernanceMode or ComplianceMode) || (retention.Mode == null) != (retention.RetainUntilDate == null))
            ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        var now = DateTimeOffset.UtcNow;
        if (retention.RetainUntilDate is { } requested && requested <= now)
            ThrowProblem(S3ErrorCode.InvalidArgument, "The retain until date must be in the future!");
        var until = retention.RetainUntilDate is { } u ? Truncate(u) : (DateTimeOffset?)null;
        var metadata = await _objects.UpdateAttributesAsync(bucket, key, versionId, m =>
        {
            var a = m.Attributes;
            if (a.LockMode != null && a.RetainUntil is { } current && current > DateTimeOffset.UtcNow)
            {
                bool keepsOrExtends = retention.Mode == a.LockMode && until >= current;
                if (!keepsOrExtends && (a.LockMode == ComplianceMode || !bypass))
                    throw new S3RequestException(new S3Error(S3ErrorCode.AccessDenied, LockedMessage));
            }
            return a with { LockMode = retention.Mode, RetainUntil = until };
        });
        await SendVersionedEmptyAsync(x, 200, versionId == null ? null : metadata.VersionIdHeader);
    }

    internal async ValueTask GetObjectLegalHoldAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        await RequireBucketLockAsync(bucket);
        var metadata = await _objects.HeadAsync(bucket, key, VersionIdOf(c));
        if (!metadata.Attributes.LegalHoldSet && !metadata.Attributes.LegalHold)
            ThrowProblem(S3ErrorCode.NoSuchObjectLockConfiguration, "The specified object does not have a ObjectLock configuration");
        var body = new ArrayBufferWriter<byte>(128);
        new ObjectLockLegalHold { Status = metadata.Attributes.LegalHold ? "ON" : "OFF" }.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    internal async ValueTask PutObjectLegalHoldAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        await RequireBucketLockAsync(bucket);
        string? versionId = VersionIdOf(c);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth, integrityRequired: true);
        var read = ObjectLockLegalHold.Read(xml);
        if (!read.IsSuccess || read.Value!.Status is not ("ON" or "OFF")) ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        bool on = read.Value!.Status == "ON";
        var metadata = await _objects.UpdateAttributesAsync(bucket, key, versionId, m => m.Attributes with { LegalHold = on, LegalHoldSet = true });
        await SendVersionedEmptyAsync(x, 200, versionId == null ? null : metadata.VersionIdHeader);
    }

    // ---------------------------------------------------------------- writes

    /// <summary>True when the request carries any x-amz-object-lock-* header (one pass, no allocation).</summary>
    private static bool HasLockHeaders(S3Exchange x)
    {
        var head = x.HeadBytes.Span;
        var prefix = "x-amz-object-lock-"u8;
        foreach (var field in x.Request.Headers.Fields)
        {
            var name = field.Name.Of(head);
            if (name.Length >= prefix.Length && Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix)) return true;
        }
        return false;
    }

    /// <summary>
    /// The lock a new version gets: the write's x-amz-object-lock-* headers, else the bucket's default retention;
    /// null when neither (a bucket without object lock and no such header costs one cached lookup, no allocation).
    /// Headers on a bucket without object lock are InvalidRequest; bad values InvalidArgument, as S3 answers them.
    /// With <paramref name="integrity"/> (PutObject) lock headers require Content-MD5 or an x-amz-checksum-*.
    /// </summary>
    private async ValueTask<ObjectLockWrite?> ReadObjectLockWriteAsync(S3Exchange x, string bucket, bool integrity)
    {
        bool headers = HasLockHeaders(x);
        var bucketLock = await GetBucketLockAsync(bucket);
        if (!headers) return bucketLock?.Mode is { } defaultMode
            ? new ObjectLockWrite(defaultMode, Truncate(bucketLock.DefaultUntil(DateTimeOffset.UtcNow)), null)
            : null;
        if (bucketLock == null) ThrowProblem(S3ErrorCode.InvalidRequest, MissingLockMessage);
        string? mode = FindHeader(x, LockModeHeader)?.Trim();
        string? untilText = FindHeader(x, RetainUntilHeader)?.Trim();
        string? hold = FindHeader(x, LegalHoldHeader)?.Trim();
        if (mode != null && mode is not (GovernanceMode or ComplianceMode))
            throw Invalid("Unknown wormMode directive.", LockModeHeader, mode);
        DateTimeOffset? until = null;
        if (untilText != null)
        {
            if (!TryParseIso8601(untilText, out var parsed))
                throw Invalid("The retain until date must be provided in ISO 8601 format", RetainUntilHeader, untilText);
            until = Truncate(parsed);
        }
        if ((mode == null) != (until == null))
            ThrowProblem(S3ErrorCode.InvalidArgument,
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
        if (until is { } at && at <= DateTimeOffset.UtcNow)
            throw Invalid("The retain until date must be in the future!", RetainUntilHeader, untilText!);
        if (hold != null && hold is not ("ON" or "OFF"))
            throw Invalid("Legal Hold must be either of 'ON' or 'OFF'", LegalHoldHeader, hold);
        if (integrity && !HasIntegrityHeader(x))
            ThrowProblem(S3ErrorCode.InvalidRequest,
                "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
        if (mode == null && bucketLock!.Mode is { } fallback)
        {
            mode = fallback;
            until = Truncate(bucketLock.DefaultUntil(DateTimeOffset.UtcNow));
        }
        return new ObjectLockWrite(mode, until, hold == null ? null : hold == "ON");
    }

    /// <summary>Content-MD5, an x-amz-checksum-* header, or one announced in a trailer (x-amz-trailer).</summary>
    private static bool HasIntegrityHeader(S3Exchange x) =>
        ObjectHeaders.Get(x, KnownHeader.ContentMD5) != null
        || (ObjectHeaders.TryGetChecksum(x, out _, out string? checksum, out bool inTrailer) && (checksum != null || inTrailer));

    /// <summary>
    /// x-amz-bypass-governance-retention: true, from a principal allowed s3:BypassGovernanceRetention: the bucket's owner
    /// (who holds every permission on it) or the administrator, or a user the bucket policy allows it. Anyone else's
    /// header is not honoured, so a GOVERNANCE retention still refuses them (AccessDenied), as on S3.
    /// </summary>
    private static bool AsksToBypassGovernance(S3Exchange x, RequestContext c)
    {
        if (FindHeader(x, BypassHeader)?.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) != true) return false;
        var principal = c.Caller;
        var entry = c.Bucket;
        if (principal == null || entry == null) return false; // never fail open
        if (principal.IsAdmin || IsOwner(principal, entry.OwnerId)) return true;
        return entry.Policy != null && Evaluate(entry.Policy, x, c, "s3:BypassGovernanceRetention", c.Route.GetBucketString(),
            c.Route.HasKey ? c.Route.GetKeyString() : null, null) == Access.AccessDecision.Allow;
    }

    /// <summary>
    /// The condition a delete of one version carries in a bucket with object lock: the store refuses (AccessDenied)
    /// a version under retention or legal hold, atomically with the removal. Without a version id (a delete marker
    /// is added) or without object lock, <paramref name="condition"/> as it was.
    /// </summary>
    private async ValueTask<WriteCondition?> WithObjectLockAsync(S3Exchange x, RequestContext c, string bucket, string? versionId,
        WriteCondition? condition)
    {
        if (versionId == null || await ObjectLockGuardAsync(x, c, bucket) is not { } guard) return condition;
        return (condition ?? new WriteCondition(null, null)) with { RespectObjectLock = true, BypassGovernance = guard.BypassGovernance };
    }

    /// <summary>The object lock condition deletes by version id carry in this bucket (with the request's bypass);
    /// null when the bucket has no object lock.</summary>
    private async ValueTask<WriteCondition?> ObjectLockGuardAsync(S3Exchange x, RequestContext c, string bucket) =>
        await GetBucketLockAsync(bucket) == null ? null : WriteCondition.ObjectLock(AsksToBypassGovernance(x, c));

    /// <summary>The object lock headers GET and HEAD answer with (a version with none costs two field reads).</summary>
    private static void AddObjectLockHeaders(S3Exchange x, ObjectAttributes a)
    {
        if (a.LockMode != null)
        {
            x.AddHeader("x-amz-object-lock-mode"u8, a.LockMode == ComplianceMode ? "COMPLIANCE"u8 : "GOVERNANCE"u8);
            if (a.RetainUntil is { } until)
            {
                // ISO 8601 as S3 sends it: 2030-01-01T00:00:00.000Z.
                Span<byte> text = stackalloc byte[32];
                until.UtcDateTime.TryFormat(text, out int n, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                x.AddHeader("x-amz-object-lock-retain-until-date"u8, text[..n]);
            }
        }
        if (a.LegalHold || a.LegalHoldSet) x.AddHeader("x-amz-object-lock-legal-hold"u8, a.LegalHold ? "ON"u8 : "OFF"u8);
    }

    /// <summary>An ISO 8601 date and time (with or without fractional seconds, Z or an offset).</summary>
    private static bool TryParseIso8601(string text, out DateTimeOffset value)
    {
        value = default;
        return text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    /// <summary>Retention dates are kept to the millisecond (what the stored header and ISO 8601 answers carry).</summary>
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUniversalTime().ToUnixTimeMilliseconds());
}
