using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Sluice.Client.Model;
using Sluice.S3.Naming;
using Sluice.S3.Xml;

namespace Sluice.Client;

/// <summary>
/// One parallel listing (<see cref="S3Client.ListObjectsV2ParallelAsync"/>). The key space is cut at boundary keys
/// b1 &lt; b2 &lt; … into ranges (start, b1], (b1, b2], …, (bn, end): a range's lower end is exclusive because that is
/// what StartAfter means, and its upper end inclusive, so together the ranges cover every key whatever the boundaries
/// are — boundaries only decide how the work is shared, never what is listed. Ranges start in key order, at most
/// <see cref="ParallelListOptions.MaxConcurrency"/> at a time, each writing its pages into its own bounded channel;
/// the reader drains the channels in range order. That cannot deadlock: the range being read is always among the
/// running ones, since ranges start in order and a range frees its slot only when it has written its last page.
/// </summary>
internal sealed class ParallelLister
{
    /// <summary>Entries a discovery listing below the top level asks for.</summary>
    private const int DeepDiscoveryPage = 100;

    private readonly S3Client _client;
    private readonly ListObjectsRequest _request;
    private readonly ParallelListOptions _options;
    private Exception? _error;

    public ParallelLister(S3Client client, ListObjectsRequest request, ParallelListOptions options)
    {
        _client = client;
        _request = request;
        _options = options;
    }

    public async IAsyncEnumerable<ListedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<string> bounds = await BoundariesAsync(cancellationToken).ConfigureAwait(false);
        int ranges = bounds.Count + 1;
        var channels = new Channel<List<ListedObject>>[ranges];
        for (int i = 0; i < ranges; i++)
        {
            channels[i] = Channel.CreateBounded<List<ListedObject>>(new BoundedChannelOptions(_options.BufferedPagesPerRange)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producers = new List<Task>(ranges);
        Task scheduler = ScheduleAsync(bounds, channels, producers, stop);
        try
        {
            for (int i = 0; i < ranges; i++)
            {
                ChannelReader<List<ListedObject>> reader = channels[i].Reader;
                while (true)
                {
                    List<ListedObject>? batch;
                    try
                    {
                        batch = await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false) && reader.TryRead(out var b) ? b : null;
                    }
                    catch (Exception) when (Volatile.Read(ref _error) is { } first)
                    {
                        // Another range failed and cancelled the rest: its error is the listing's.
                        ExceptionDispatchInfo.Throw(first);
                        throw;
                    }

                    if (batch is null)
                    {
                        if (reader.Completion.IsCompleted)
                        {
                            break;
                        }

                        continue;
                    }

                    foreach (ListedObject item in batch)
                    {
                        yield return item;
                    }
                }
            }
        }
        finally
        {
            // Early exit, error or cancellation: stop every range and wait for all that was started.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await scheduler.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            Task[] started;
            lock (producers)
            {
                started = [.. producers];
            }

            try
            {
                await Task.WhenAll(started).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Each range's error went to its channel and to _error; the reader has seen what it needed.
            }
        }
    }

    private async Task ScheduleAsync(List<string> bounds, Channel<List<ListedObject>>[] channels, List<Task> producers,
        CancellationTokenSource stop)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrency);
        var running = new List<Task>();
        try
        {
            for (int i = 0; i < channels.Length; i++)
            {
                await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                string? lower = i == 0 ? _request.StartAfter : bounds[i - 1];
                string? upper = i < bounds.Count ? bounds[i] : null;
                ChannelWriter<List<ListedObject>> writer = channels[i].Writer;
                Task producer = Task.Run(() => ProduceAsync(lower, upper, writer, slots, stop), CancellationToken.None);
                lock (producers)
                {
                    producers.Add(producer);
                }

                running.Add(producer);
            }
        }
        finally
        {
            // The semaphore must outlive every range that releases it, also when the listing was stopped.
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Seen by the reader through the range's channel.
            }
        }
    }

    private async Task ProduceAsync(string? lower, string? upper, ChannelWriter<List<ListedObject>> writer, SemaphoreSlim slots,
        CancellationTokenSource stop)
    {
        Exception? failure = null;
        try
        {
            var walk = new RangeWalk(lower, upper);
            string? gapStart = lower;
            string? block = null;
            if (lower is not null && !ReferenceEquals(lower, _request.StartAfter))
            {
                // A boundary is a prefix: the keys that start with it follow it without a gap, so one listing narrowed
                // to it walks them and the server stops at the block's end instead of a page past it.
                block = lower;
                await WalkAsync(_request with { Prefix = block, StartAfter = lower }, walk, null, writer, stop.Token).ConfigureAwait(false);
                // Past every key that starts with the block (a key continuing it with U+10FFFF and more is dropped below).
                gapStart = lower + "\U0010FFFF";
            }

            if (!walk.Past)
            {
                // Keys between the block and the upper boundary: usually none, so a one-key probe asks first rather
                // than a page that would be all the next range's.
                ListBucketResult probe = await _client.ListObjectsV2PageAsync(_request with { StartAfter = gapStart, MaxKeys = 1 }, null,
                    stop.Token).ConfigureAwait(false);
                bool empty = probe.Contents.Count == 0 && !probe.IsTruncated
                    || probe.Contents.Count == 1 && upper is not null && S3KeyComparer.Compare(probe.Contents[0].Key, upper) > 0;
                if (!empty)
                {
                    await WalkAsync(_request with { StartAfter = gapStart }, walk, block, writer, stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
            if (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _error, e, null);
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            writer.TryComplete(failure);
            slots.Release();
        }
    }

    /// <summary>
    /// Walks one listing's pages into the range's channel: drops keys at or before the last one written (a server that
    /// ignores StartAfter starts over at the prefix's first key) and keys under <paramref name="skipPrefix"/> (walked
    /// already), and stops at the first key past the range.
    /// </summary>
    private async Task WalkAsync(ListObjectsRequest request, RangeWalk walk, string? skipPrefix, ChannelWriter<List<ListedObject>> writer,
        CancellationToken cancellationToken)
    {
        await foreach (ListBucketResult page in _client.ListObjectsV2PagesAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var batch = new List<ListedObject>(page.Contents.Count);
            foreach (ListedObject item in page.Contents)
            {
                if (walk.Last is not null && S3KeyComparer.Compare(item.Key, walk.Last) <= 0
                    || skipPrefix is not null && item.Key.StartsWith(skipPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (walk.Upper is not null && S3KeyComparer.Compare(item.Key, walk.Upper) > 0)
                {
                    walk.Past = true;
                    break;
                }

                batch.Add(item);
                walk.Last = item.Key;
            }

            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            if (walk.Past)
            {
                return;
            }
        }
    }

    /// <summary>Where a range's walk stands: its upper end, the last key written, whether a key past the end was seen.</summary>
    private sealed class RangeWalk(string? last, string? upper)
    {
        public string? Last { get; set; } = last;

        public string? Upper { get; } = upper;

        public bool Past { get; set; }
    }

    /// <summary>
    /// The boundary keys, sorted in S3's order, unique, after the request's StartAfter and under its prefix: the given
    /// prefixes, or common prefixes found by delimiter listings (first page of each, descending while there are fewer
    /// than four per listing in flight), thinned evenly to <see cref="ParallelListOptions.MaxRanges"/> - 1.
    /// </summary>
    private async Task<List<string>> BoundariesAsync(CancellationToken cancellationToken)
    {
        string basePrefix = _request.Prefix ?? "";
        var found = new List<string>();
        if (_options.Prefixes is { } given)
        {
            foreach (string p in given)
            {
                found.Add(basePrefix + p);
            }
        }
        else
        {
            await DiscoverAsync(basePrefix, found, cancellationToken).ConfigureAwait(false);
        }

        found.Sort(S3KeyComparer.Instance);
        var bounds = new List<string>(found.Count);
        foreach (string b in found)
        {
            bool afterStart = _request.StartAfter is null || S3KeyComparer.Compare(b, _request.StartAfter) > 0;
            if (afterStart && (bounds.Count == 0 || bounds[^1] != b))
            {
                bounds.Add(b);
            }
        }

        int most = _options.MaxRanges - 1;
        if (bounds.Count <= most)
        {
            return bounds;
        }

        var thinned = new List<string>(most);
        for (int i = 1; i <= most; i++)
        {
            thinned.Add(bounds[(int)((long)i * bounds.Count / (most + 1))]);
        }

        return thinned;
    }

    private async Task DiscoverAsync(string basePrefix, List<string> found, CancellationToken cancellationToken)
    {
        int wanted = 4 * _options.MaxConcurrency;
        List<string> level = [basePrefix];
        for (int depth = 0; depth < _options.MaxDiscoveryDepth && level.Count > 0 && found.Count < wanted; depth++)
        {
            var next = new List<string>();
            using var gate = new SemaphoreSlim(_options.MaxConcurrency);
            var pages = level.Select(async prefix =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var request = new ListObjectsRequest(_request.Bucket)
                    {
                        Prefix = prefix.Length > 0 ? prefix : null,
                        Delimiter = _options.DiscoveryDelimiter,
                        StartAfter = _request.StartAfter,
                        // Below the top, a level often holds keys rather than prefixes: a short page tells which
                        // without reading a full page of keys per prefix.
                        MaxKeys = depth == 0 ? null : DeepDiscoveryPage,
                    };
                    return await _client.ListObjectsV2PageAsync(request, null, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            foreach (ListBucketResult page in await Task.WhenAll(pages).ConfigureAwait(false))
            {
                foreach (string p in page.CommonPrefixes)
                {
                    // Only a prefix strictly inside this one splits anything.
                    if (p.Length > basePrefix.Length && p.StartsWith(basePrefix, StringComparison.Ordinal))
                    {
                        found.Add(p);
                        next.Add(p);
                    }
                }
            }

            level = next;
        }
    }
}
