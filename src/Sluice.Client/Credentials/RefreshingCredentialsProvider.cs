namespace Sluice.Client.Credentials;

/// <summary>
/// Caches another provider's credentials and refreshes them ahead of expiry, so every request can ask for the current
/// set: the answer is the cached immutable <see cref="AwsCredentials"/> in a completed <see cref="ValueTask{T}"/> (no
/// allocation) until the refresh point. From there (<see cref="DefaultPrefetch"/> before expiry, as the AWS SDKs do) one
/// background fetch runs while requests keep the current set; from the stale point (<see cref="DefaultStale"/> before
/// expiry) requests wait for a fetch. A failed fetch while the current set is still valid keeps it (and is tried again
/// after <see cref="RetryAfterFailure"/>); only credentials that have expired are refused. Both windows shrink for
/// short-lived credentials (at most half and a quarter of the lifetime), so a fetch never runs on every request.
/// Thread-safe; dispose to cancel and await a fetch in flight.
/// </summary>
public sealed class RefreshingCredentialsProvider : IAwsCredentialsProvider, IAsyncDisposable
{
    /// <summary>Background refresh this long before expiry (the AWS SDKs use 5 to 15 minutes).</summary>
    public static readonly TimeSpan DefaultPrefetch = TimeSpan.FromMinutes(5);

    /// <summary>Requests wait for fresh credentials this long before expiry: the set must outlive a request's
    /// signing and sending (S3 checks the token when the request arrives).</summary>
    public static readonly TimeSpan DefaultStale = TimeSpan.FromMinutes(1);

    /// <summary>After a failed fetch, no new background attempt for this long (an outage of the source must not turn
    /// every request into another fetch).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private readonly IAwsCredentialsProvider _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _prefetch;
    private readonly TimeSpan _stale;
    private readonly CancellationTokenSource _disposed = new();

    // Read lock-free by every request; replaced whole by a successful fetch.
    private Entry? _entry;

    // UTC ticks before which no background fetch starts (set after a failure).
    private long _nextAttemptTicks;

    // Guarded by _lock: the fetch in flight (or the last one).
    private readonly Lock _lock = new();
    private Task<Entry>? _refresh;
    private Exception? _lastError;
    private int _fetches;

    public RefreshingCredentialsProvider(IAwsCredentialsProvider inner, TimeProvider? timeProvider = null,
        TimeSpan? prefetch = null, TimeSpan? stale = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _time = timeProvider ?? TimeProvider.System;
        _prefetch = prefetch ?? DefaultPrefetch;
        _stale = stale ?? DefaultStale;
        ArgumentOutOfRangeException.ThrowIfLessThan(_prefetch, _stale, nameof(prefetch));
        ArgumentOutOfRangeException.ThrowIfLessThan(_stale, TimeSpan.Zero, nameof(stale));
    }

    public string Name => _inner.Name;

    /// <summary>The provider whose credentials are cached.</summary>
    public IAwsCredentialsProvider Inner => _inner;

    /// <summary>How many fetches were started (diagnostics, tests).</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>The error of the last failed fetch, cleared by a successful one.</summary>
    public Exception? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>The fetch in flight, or a completed task when none is: lets a caller await a background refresh.</summary>
    public Task CurrentRefresh
    {
        get
        {
            lock (_lock)
            {
                // The fetch's own failure is reported through LastError; awaiting this never throws.
                return _refresh is { } r ? r.ContinueWith(static _ => { }, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default) : Task.CompletedTask;
            }
        }
    }

    /// <summary>The current credentials: cached, refreshed in the background near expiry, fetched when stale.</summary>
    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        Entry? entry = Volatile.Read(ref _entry);
        if (entry is not null)
        {
            if (entry.ExpiresTicks == long.MaxValue)
            {
                return new ValueTask<AwsCredentials>(entry.Credentials);
            }

            long now = _time.GetUtcNow().UtcTicks;
            if (now < entry.StaleTicks)
            {
                if (now >= entry.RefreshTicks && now >= Volatile.Read(ref _nextAttemptTicks))
                {
                    StartFetch();
                }

                return new ValueTask<AwsCredentials>(entry.Credentials);
            }
        }

        return WaitForFreshAsync(entry, cancellationToken);
    }

    /// <summary>Fetches now (whatever the cached set's age; joins a fetch in flight) and returns the new set; a failure throws.</summary>
    public async Task<AwsCredentials> RefreshAsync(CancellationToken cancellationToken)
    {
        Task<Entry> fetch = StartFetch();
        return (await fetch.WaitAsync(cancellationToken).ConfigureAwait(false)).Credentials;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        Task? pending;
        lock (_lock)
        {
            pending = _refresh;
        }

        if (pending is not null)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or AwsCredentialsException)
            {
                // Disposal cancelled it, or it failed: either way nothing is waiting for it any more.
            }
        }

        _disposed.Dispose();
    }

    private async ValueTask<AwsCredentials> WaitForFreshAsync(Entry? current, CancellationToken cancellationToken)
    {
        Task<Entry> fetch = StartFetch();
        try
        {
            return (await fetch.WaitAsync(cancellationToken).ConfigureAwait(false)).Credentials;
        }
        catch (AwsCredentialsException) when (current is not null && _time.GetUtcNow().UtcTicks < current.ExpiresTicks)
        {
            // Stale but not expired: better the old set for this request than a failure.
            return current.Credentials;
        }
    }

    private Task<Entry> StartFetch()
    {
        lock (_lock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            _fetches++;
            // Task.Run: the provider (a process start, a DNS lookup) must not run under the lock or on a request's thread.
            Task<Entry> fetch = Task.Run(FetchAsync, CancellationToken.None);
            _refresh = fetch;
            return fetch;
        }
    }

    private async Task<Entry> FetchAsync()
    {
        try
        {
            AwsCredentials credentials = await _inner.GetCredentialsAsync(_disposed.Token).ConfigureAwait(false);
            long now = _time.GetUtcNow().UtcTicks;
            Entry entry = Entry.For(credentials, now, _prefetch, _stale)
                ?? throw new AwsCredentialsException($"{_inner.Name}: the credentials returned expired at " +
                    $"{credentials.Expiration!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
            Volatile.Write(ref _entry, entry);
            lock (_lock)
            {
                _lastError = null;
            }

            return entry;
        }
        catch (Exception e) when (e is not OperationCanceledException || !_disposed.IsCancellationRequested)
        {
            Volatile.Write(ref _nextAttemptTicks, _time.GetUtcNow().UtcTicks + RetryAfterFailure.Ticks);
            AwsCredentialsException error = e as AwsCredentialsException
                ?? new AwsCredentialsException($"{_inner.Name}: {e.Message}", e);
            lock (_lock)
            {
                _lastError = error;
            }

            throw error;
        }
    }

    /// <summary>A fetched set with the UTC tick counts at which to refresh, to wait, and to give up on it.</summary>
    private sealed class Entry
    {
        private Entry(AwsCredentials credentials, long refreshTicks, long staleTicks, long expiresTicks)
        {
            Credentials = credentials;
            RefreshTicks = refreshTicks;
            StaleTicks = staleTicks;
            ExpiresTicks = expiresTicks;
        }

        public AwsCredentials Credentials { get; }

        public long RefreshTicks { get; }

        public long StaleTicks { get; }

        public long ExpiresTicks { get; }

        /// <summary>Null when the set has already expired.</summary>
        public static Entry? For(AwsCredentials credentials, long nowTicks, TimeSpan prefetch, TimeSpan stale)
        {
            if (credentials.Expiration is not { } expiration)
            {
                return new Entry(credentials, long.MaxValue, long.MaxValue, long.MaxValue);
            }

            long expires = expiration.UtcTicks;
            long lifetime = expires - nowTicks;
            if (lifetime <= 0)
            {
                return null;
            }

            return new Entry(credentials, expires - Math.Min(prefetch.Ticks, lifetime / 2),
                expires - Math.Min(stale.Ticks, lifetime / 4), expires);
        }
    }
}
