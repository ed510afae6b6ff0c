using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Sluice.S3.Lifecycle;
using Sluice.Server.Exchange;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// The <c>x-amz-expiration</c> header S3 puts on PUT, GET and HEAD of a current version that a lifecycle Expiration rule
/// applies to: <c>expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="ID"</c>, the earliest of the matching rules
/// (prefix, tags, size). The buckets that have such rules are kept in memory — loaded at start
/// (<see cref="LoadExpirationRulesAsync"/>), replaced by Put/DeleteBucketLifecycleConfiguration and DeleteBucket — so a
/// server where no bucket has one pays one field read per request, and a GET allocates nothing more.
/// </summary>
public sealed partial class S3RequestHandler
{
    private static ReadOnlySpan<byte> ExpirationHeader => "x-amz-expiration"u8;

    // Bucket name → its enabled rules with an Expiration (days or date); a bucket without any is absent.
    private readonly ConcurrentDictionary<string, LifecycleRule[]> _expirationRules = new(StringComparer.Ordinal);
    // Lifecycle writes run one after another (a queue of tasks, each awaiting the one before), so the rules kept here
    // are always those of the document written last.
    private readonly Lock _lifecycleQueue = new();
    private Task _lifecycleTail = Task.CompletedTask;

    /// <summary>How long a lifecycle day is (<see cref="SluiceServerOptions.LifecycleDay"/>), as the worker counts it.</summary>
    internal TimeSpan LifecycleDay { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Reads every bucket's lifecycle configuration once, before serving.</summary>
    internal async ValueTask LoadExpirationRulesAsync()
    {
        foreach (var bucket in await _objects.ListBucketsAsync())
        {
            byte[]? document;
            try
            {
                document = await _objects.GetBucketSettingAsync(bucket.Name, BucketSetting.Lifecycle);
            }
            catch (S3StorageException)
            {
                continue; // deleted meanwhile
            }
            RememberExpirationRules(bucket.Name, document);
        }
    }

    private void RememberExpirationRules(string bucket, byte[]? document)
    {
        LifecycleRule[] rules = [];
        if (document != null && LifecycleConfiguration.Read(document) is { IsSuccess: true } read)
            rules = [.. read.Value!.Rules.Where(r => r.Enabled && (r.ExpirationDays != null || r.ExpirationDate != null))];
        if (rules.Length > 0) _expirationRules[bucket] = rules;
        else _expirationRules.TryRemove(bucket, out _);
    }

    /// <summary>Stores a bucket's lifecycle document and the rules the header reads, in the same order for every writer.</summary>
    private async ValueTask SetLifecycleAsync(string bucket, byte[]? document)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task before;
        lock (_lifecycleQueue)
        {
            before = _lifecycleTail;
            _lifecycleTail = done.Task;
        }
        try
        {
            await before;
            await _objects.SetBucketSettingAsync(bucket, BucketSetting.Lifecycle, document);
            RememberExpirationRules(bucket, document);
        }
        finally
        {
            done.SetResult();
        }
    }

    private void ForgetExpirationRules(string bucket) => _expirationRules.TryRemove(bucket, out _);

    /// <summary>Adds x-amz-expiration for the current version <paramref name="m"/> of <paramref name="c"/>'s key when a rule
    /// applies.</summary>
    private void AddExpirationHeader(S3Exchange x, RequestContext c, ObjectMetadata m)
    {
        if (_expirationRules.IsEmpty || m.IsDeleteMarker) return;
        var bucket = c.Route.Bucket;
        if (bucket.Length > 63) return;
        Span<char> name = stackalloc char[bucket.Length];
        Encoding.ASCII.GetChars(bucket, name); // bucket names are ASCII
        if (!_expirationRules.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var rules)) return;
        string key = c.Route.GetKeyString();
        LifecycleRule? chosen = null;
        DateTimeOffset earliest = DateTimeOffset.MaxValue;
        foreach (var rule in rules)
        {
            if (!rule.Filter.Matches(key, m.Size, m.Attributes.Tags)) continue;
            var due = rule.ExpirationDate ?? Lifecycle.LifecycleWorker.DueAt(m.LastModified, rule.ExpirationDays!.Value, LifecycleDay);
            if (due < earliest)
            {
                earliest = due;
                chosen = rule;
            }
        }
        if (chosen == null) return;
        string value = "expiry-date=\"" + earliest.UtcDateTime.ToString("R", CultureInfo.InvariantCulture) + "\", rule-id=\"" + chosen.Id + "\"";
        x.AddHeader(ExpirationHeader, Encoding.UTF8.GetBytes(value));
    }
}
