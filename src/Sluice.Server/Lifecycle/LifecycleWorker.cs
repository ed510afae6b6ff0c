using Sluice.S3.Lifecycle;
using Sluice.Server.Index;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Lifecycle;

/// <summary>
/// Applies buckets' lifecycle rules: expires current objects (Expiration Days or Date) and aborts incomplete multipart
/// uploads (AbortIncompleteMultipartUpload), honouring each rule's filter (prefix, tags, size). A pass walks every
/// bucket that has a configuration; a background loop runs one pass per <see cref="Interval"/>. Tests run passes
/// themselves (<see cref="RunOnceAsync"/>) with their own clock.
/// </summary>
/// <remarks>
/// Days are S3's: an object written at T expires at the first midnight UTC after T + days. With a shortened day
/// (<c>--lifecycle-day SECONDS</c>, for rehearsing rules in seconds) there is no midnight to round to: it expires at
/// T + days × day. An expiration deletes the key only while it still holds the version that was judged (If-Match on
/// its ETag), so a write that lands during the pass is never removed by it. Noncurrent versions and expired delete
/// markers are removed by version id from the bucket's version index (NoncurrentVersionExpiration, ExpiredObjectDeleteMarker).
/// </remarks>
public sealed class LifecycleWorker : IAsyncDisposable
{
    private const int PageSize = 1000;

    private readonly ObjectService _objects;
    private readonly TimeProvider _time;
    private readonly Action<Exception>? _onError;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public LifecycleWorker(ObjectService objects, TimeSpan day, TimeSpan interval, TimeProvider? time = null,
        Action<Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(day, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _objects = objects;
        Day = day;
        Interval = interval;
        _time = time ?? TimeProvider.System;
        _onError = onError;
    }

    /// <summary>How long a lifecycle "day" is (one day, unless shortened for rehearsals).</summary>
    public TimeSpan Day { get; }

    /// <summary>Time between background passes.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Starts the background loop (once).</summary>
    public void Start() => _loop ??= Task.Run(LoopAsync);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, _time, _stop.Token).ConfigureAwait(false);
                await RunOnceAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _onError?.Invoke(e); // a failed pass is tried again at the next interval
            }
        }
    }

    /// <summary>One pass over every bucket with a lifecycle configuration, at the clock's now.</summary>
    public async Task<LifecycleReport> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        int expired = 0, aborted = 0, noncurrent = 0, deleteMarkers = 0;
        foreach (var bucket in await _objects.ListBucketsAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[]? document;
            try
            {
                document = await _objects.GetBucketSettingAsync(bucket.Name, BucketSetting.Lifecycle).ConfigureAwait(false);
            }
            catch (S3StorageException)
            {
                continue; // deleted since it was listed
            }
            if (document == null) continue;
            var read = LifecycleConfiguration.Read(document);
            if (!read.IsSuccess) continue; // only validated documents are stored
            var now = _time.GetUtcNow();
            foreach (var rule in read.Value.Rules)
            {
                if (!rule.Enabled) continue;
                if (rule.ExpirationDays != null || rule.ExpirationDate != null)
                    expired += await ExpireAsync(bucket.Name, rule, now, cancellationToken).ConfigureAwait(false);
                if (rule.AbortDaysAfterInitiation is { } days)
                    aborted += await AbortAsync(bucket.Name, rule.Filter.Prefix, days, now).ConfigureAwait(false);
                if (rule.HasNoncurrentExpiration || rule.ExpiredObjectDeleteMarker == true)
                {
                    var (versions, markers) = await ExpireVersionsAsync(bucket.Name, rule, now, cancellationToken).ConfigureAwait(false);
                    noncurrent += versions;
                    deleteMarkers += markers;
                }
            }
        }
        return new LifecycleReport(expired, aborted) { NoncurrentExpired = noncurrent, DeleteMarkersRemoved = deleteMarkers };
    }

    /// <summary>When something written at <paramref name="written"/> is <paramref name="days"/> days old by the rules.</summary>
    public DateTimeOffset DueAt(DateTimeOffset written, int days) => DueAt(written, days, Day);

    /// <summary>When an object written at <paramref name="written"/> is due after <paramref name="days"/> lifecycle days
    /// of length <paramref name="day"/>: S3's next midnight UTC for real days, exact for a shortened day.</summary>
    public static DateTimeOffset DueAt(DateTimeOffset written, int days, TimeSpan day)
    {
        var due = written + (day * days);
        if (day != TimeSpan.FromDays(1)) return due;
        var midnight = new DateTimeOffset(due.UtcDateTime.Date, TimeSpan.Zero);
        return midnight == due ? due : midnight.AddDays(1);
    }

    private async Task<int> ExpireAsync(string bucket, LifecycleRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rule.ExpirationDate is { } date && now < date) return 0;
        BucketIndex index;
        try
        {
            index = await _objects.GetKeyIndexAsync(bucket).ConfigureAwait(false);
        }
        catch (S3StorageException)
        {
            return 0;
        }
        int count = 0;
        string? marker = null;
        var page = new ListPage();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!ListQuery.TryCreateV1(rule.Filter.Prefix.Length == 0 ? null : rule.Filter.Prefix, null, PageSize, marker, out var query, out _))
                return count;
            page.Clear();
            index.List(query, page);
            foreach (var entry in page.Contents)
            {
                if (rule.ExpirationDays is { } days && DueAt(entry.LastModified, days) > now) continue;
                string key = entry.GetKeyString();
                var tags = rule.Filter.Tags.Count == 0 ? [] : await TagsAsync(bucket, key).ConfigureAwait(false);
                if (tags == null || !rule.Filter.Matches(key, entry.Size, tags)) continue;
                try
                {
                    if (await _objects.DeleteAsync(bucket, key, WriteCondition.Matching(entry.ETag)).ConfigureAwait(false)) count++;
                }
                catch (S3StorageException)
                {
                    // Replaced or deleted since it was judged: the new version is not this rule's to remove now.
                }
            }
            if (!page.IsTruncated) return count;
            marker = System.Text.Encoding.UTF8.GetString(page.LastItem.Span);
        }
    }

    /// <summary>
    /// NoncurrentVersionExpiration and ExpiredObjectDeleteMarker over the bucket's version index, key by key under the
    /// rule's prefix: a noncurrent version goes when it has been noncurrent for NoncurrentDays (counted from when its
    /// successor was written) and more than NewerNoncurrentVersions newer noncurrent versions are kept; a delete marker
    /// goes when it is a key's newest version with no version left behind it. Removals are by version id, so a version
    /// written during the pass is never the one removed.
    /// </summary>
    private async Task<(int Versions, int Markers)> ExpireVersionsAsync(string bucket, LifecycleRule rule, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        BucketIndex current, versions;
        try
        {
            current = await _objects.GetKeyIndexAsync(bucket).ConfigureAwait(false);
            versions = await _objects.GetVersionIndexAsync(bucket).ConfigureAwait(false);
        }
        catch (S3StorageException)
        {
            return (0, 0);
        }
        var doomed = new List<(string Key, string VersionId, bool Marker)>();
        byte[] start = VersionKeys.PrefixOf(rule.Filter.Prefix);
        var cursor = versions.CreateCursor();
        bool more = cursor.Seek(start.AsSpan(0, start.Length - 1), inclusive: true);
        while (more)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string key = VersionKeys.KeyOf(cursor.CurrentKey.Span);
            if (!key.StartsWith(rule.Filter.Prefix, StringComparison.Ordinal)) break;
            byte[] prefix = VersionKeys.PrefixOf(key);
            var history = new List<IndexEntry>();
            for (; more && cursor.CurrentKey.Span.StartsWith(prefix); more = cursor.MoveNext()) history.Add(cursor.Current);
            current.TryGet(System.Text.Encoding.UTF8.GetBytes(key), out var latest);
            if (rule.ExpiredObjectDeleteMarker == true && latest == null && history.Count == 1 && history[0].IsDeleteMarker)
            {
                doomed.Add((key, history[0].ReportedVersionId, true));
                continue;
            }
            if (!rule.HasNoncurrentExpiration) continue;
            DateTimeOffset? successor = latest?.LastModified;
            int newer = 0;
            foreach (var entry in history)
            {
                var became = successor;
                successor = entry.LastModified;
                if (entry.IsDeleteMarker) continue;
                bool old = became is { } at && (rule.NoncurrentDays is not { } days || DueAt(at, days) <= now);
                bool surplus = rule.NewerNoncurrentVersions is not { } keep || newer >= keep;
                newer++;
                if (!old || !surplus) continue;
                var tags = rule.Filter.Tags.Count == 0 ? []
                    : (await _objects.HeadAsync(bucket, key, entry.ReportedVersionId).ConfigureAwait(false)).Attributes.Tags;
                if (rule.Filter.Matches(key, entry.Size, tags)) doomed.Add((key, entry.ReportedVersionId, false));
            }
        }
        int versionsRemoved = 0, markersRemoved = 0;
        foreach (var (key, versionId, marker) in doomed)
        {
            try
            {
                // Never a version object lock protects: the store refuses it (AccessDenied) atomically, and it stays.
                if ((await _objects.DeleteVersionAsync(bucket, key, versionId, WriteCondition.ObjectLock(bypassGovernance: false))
                        .ConfigureAwait(false)).Existed)
                {
                    if (marker) markersRemoved++;
                    else versionsRemoved++;
                }
            }
            catch (S3StorageException)
            {
                // The bucket went meanwhile, or object lock keeps the version (retention or legal hold in force).
            }
        }
        return (versionsRemoved, markersRemoved);
    }

    private async Task<IReadOnlyList<KeyValuePair<string, string>>?> TagsAsync(string bucket, string key)
    {
        try
        {
            return (await _objects.HeadAsync(bucket, key).ConfigureAwait(false)).Attributes.Tags;
        }
        catch (S3StorageException)
        {
            return null;
        }
    }

    private async Task<int> AbortAsync(string bucket, string prefix, int days, DateTimeOffset now)
    {
        int count = 0;
        IReadOnlyList<MultipartUploadInfo> uploads;
        try
        {
            uploads = await _objects.ListMultipartUploadsAsync(bucket).ConfigureAwait(false);
        }
        catch (S3StorageException)
        {
            return 0;
        }
        foreach (var upload in uploads)
        {
            if (!upload.Key.StartsWith(prefix, StringComparison.Ordinal) || DueAt(upload.Initiated, days) > now) continue;
            try
            {
                await _objects.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId).ConfigureAwait(false);
                count++;
            }
            catch (S3StorageException)
            {
                // Completed or aborted meanwhile.
            }
        }
        return count;
    }

    /// <summary>Stops the background loop and waits for a pass in progress to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop != null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
