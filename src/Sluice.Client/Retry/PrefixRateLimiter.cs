using System.Collections.Concurrent;

namespace Sluice.Client.Retry;

/// <summary>
/// A token bucket per throttled key prefix with additive-increase / multiplicative-decrease of its rate (the rules are
/// in <see cref="PrefixRateOptions"/>). Prefixes never throttled have no bucket and cost one flag read per request;
/// once one exists, a request's prefix is formed on the stack and looked up without allocating. A waiting request
/// takes its token at once (possibly into debt) and sleeps on one timer until the debt is repaid — no polling, and no
/// allocation at all when it need not wait. Thread-safe.
/// </summary>
public sealed class PrefixRateLimiter
{
    /// <summary>
    /// Two children of one prefix throttled within this time share a rate: S3 answers SlowDown for a whole partition at
    /// once, so throttles that far apart from different children come from one overloaded partition.
    /// </summary>
    public static readonly TimeSpan SiblingWindow = TimeSpan.FromSeconds(1);

    /// <summary>Longest prefix formed on the stack; longer ones (long bucket names with a large MaxLength) are allocated.</summary>
    private const int StackPrefixChars = 256;

    private readonly PrefixRateOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PrefixState> _prefixes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PrefixState>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _addLock = new();
    private readonly Lock _siblingLock = new();
    private readonly Dictionary<string, (string Child, long At)> _lastChild = new(StringComparer.Ordinal);
    private volatile bool _active;
    private volatile bool _sharing;
    private long _throttles;

    public PrefixRateLimiter(PrefixRateOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.MinRate > 0) || !(options.StartRate >= options.MinRate) || double.IsInfinity(options.StartRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MinRate must be positive and StartRate at least MinRate.");
        }

        if (!(options.Decrease is > 0 and < 1) || !(options.Increase >= 0) || options.Depth < 1 || options.MaxPrefixes < 1
            || options.MaxLength < 0 || options.Characters < 0 || !(options.BurstSeconds >= 0) || !(options.Growth >= 0) || options.MinCutInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                "Decrease must be in (0, 1), Increase, BurstSeconds, Growth and MinCutInterval at least 0, Depth and MaxPrefixes at least 1.");
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _lookup = _prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public PrefixRateOptions Options => _options;

    /// <summary>Prefixes tracked now.</summary>
    public int Count => _prefixes.Count;

    /// <summary>Throttling answers noted, over all prefixes.</summary>
    public long Throttles => Interlocked.Read(ref _throttles);

    /// <summary>The prefix a request for <paramref name="bucket"/>/<paramref name="key"/> belongs to.</summary>
    public string PrefixOf(string bucket, string? key)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        return Concat(bucket, key, KeyPartLength(key));
    }

    /// <summary>The rate <paramref name="prefix"/> is held to now; null when it is not tracked (full speed).</summary>
    public double? RateOf(string prefix) => _prefixes.TryGetValue(prefix, out PrefixState? s) ? s.RateAt(_time.GetTimestamp(), _options) : null;

    /// <summary>
    /// Takes a token for a request to <paramref name="bucket"/>/<paramref name="key"/> and returns how long it must
    /// wait before going (zero: at once, also for a prefix never throttled).
    /// </summary>
    public TimeSpan Reserve(string bucket, string? key)
    {
        if (!_active)
        {
            return TimeSpan.Zero;
        }

        int own = KeyPartLength(key);
        PrefixState? state = Lookup(bucket, key, own);
        PrefixState? shared = _sharing && own > 0 ? Lookup(bucket, key, ParentLength(key!, own)) : null;
        if (state is null && shared is null)
        {
            return TimeSpan.Zero;
        }

        long now = _time.GetTimestamp();
        TimeSpan wait = state?.Reserve(now, _options) ?? TimeSpan.Zero;
        TimeSpan sharedWait = shared?.Reserve(now, _options) ?? TimeSpan.Zero;
        return sharedWait > wait ? sharedWait : wait;
    }

    /// <summary>Waits for a token for a request to <paramref name="bucket"/>/<paramref name="key"/>; completes at once,
    /// without allocating, when none is needed. Cancellation ends the wait (the token stays spent).</summary>
    public ValueTask WaitAsync(string bucket, string? key, CancellationToken cancellationToken)
    {
        TimeSpan wait = Reserve(bucket, key);
        return wait <= TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(wait, _time, cancellationToken));
    }

    /// <summary>
    /// Notes a throttling answer to a request for <paramref name="bucket"/>/<paramref name="key"/> sent at
    /// <paramref name="sentAt"/> (a timestamp of this limiter's clock): cuts the prefix's rate unless the request
    /// left before the last cut, and pauses the prefix for <paramref name="retryAfter"/> when the server gave one.
    /// </summary>
    public void OnThrottled(string bucket, string? key, long sentAt, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        Interlocked.Increment(ref _throttles);
        long now = _time.GetTimestamp();
        int own = KeyPartLength(key);
        PrefixState state = Lookup(bucket, key, own) ?? Add(Concat(bucket, key, own), now);
        long pause = retryAfter is { } r && r > TimeSpan.Zero ? (long)(r.TotalSeconds * _time.TimestampFrequency) : 0;
        state.Throttled(now, sentAt, pause, _options);
        if (own > 0)
        {
            SharedOf(bucket, key!, own, state.Prefix, now)?.Throttled(now, sentAt, pause, _options);
        }
    }

    /// <summary>
    /// The rate shared by <paramref name="child"/> and its siblings (the prefix one level up, or the bucket), once
    /// throttles have come from two of its children within <see cref="SiblingWindow"/>: one S3 partition spans them
    /// all — a new bucket starts as one partition for every prefix — so slowing each child alone would let the others
    /// keep the partition over its budget (with hash-prefixed keys, every request is a child of its own and none would
    /// ever slow). Null while only one child has been throttled.
    /// </summary>
    private PrefixState? SharedOf(string bucket, string key, int own, string child, long now)
    {
        int parentPart = ParentLength(key, own);
        if (Lookup(bucket, key, parentPart) is { } shared)
        {
            return shared;
        }

        string parent = Concat(bucket, key, parentPart);
        long window = (long)(SiblingWindow.TotalSeconds * _time.TimestampFrequency);
        lock (_siblingLock)
        {
            bool spread = _lastChild.TryGetValue(parent, out (string Child, long At) seen)
                && !string.Equals(seen.Child, child, StringComparison.Ordinal) && now - seen.At < window;
            if (!spread)
            {
                if (_lastChild.Count >= _options.MaxPrefixes) _lastChild.Clear(); // bounded like the prefixes
                _lastChild[parent] = (child, now);
                return null;
            }

            _lastChild.Remove(parent);
        }

        PrefixState created = Add(parent, now);
        _sharing = true;
        return created;
    }

    /// <summary>The tracked prefixes, slowest first.</summary>
    public IReadOnlyList<PrefixRateSnapshot> Snapshot()
    {
        long now = _time.GetTimestamp();
        var list = new List<PrefixRateSnapshot>(_prefixes.Count);
        foreach (PrefixState s in _prefixes.Values)
        {
            list.Add(s.Snapshot(now, _options));
        }

        list.Sort(static (a, b) => a.Rate != b.Rate ? a.Rate.CompareTo(b.Rate) : string.CompareOrdinal(a.Prefix, b.Prefix));
        return list;
    }

    /// <summary>The current timestamp of the limiter's clock (what <see cref="OnThrottled"/> expects as sentAt).</summary>
    public long Timestamp() => _time.GetTimestamp();

    /// <summary>The state of the prefix made of the bucket and <paramref name="keyPart"/> characters of the key, formed
    /// on the stack (no allocation) unless it is very long.</summary>
    private PrefixState? Lookup(string bucket, string? key, int keyPart)
    {
        if (keyPart == 0)
        {
            return _lookup.TryGetValue(bucket.AsSpan(), out PrefixState? whole) ? whole : null;
        }

        int length = bucket.Length + 1 + keyPart;
        if (length > StackPrefixChars)
        {
            return _prefixes.TryGetValue(Concat(bucket, key, keyPart), out PrefixState? big) ? big : null;
        }

        Span<char> prefix = stackalloc char[length];
        bucket.AsSpan().CopyTo(prefix);
        prefix[bucket.Length] = '/';
        key.AsSpan(0, keyPart).CopyTo(prefix[(bucket.Length + 1)..]);
        return _lookup.TryGetValue(prefix, out PrefixState? state) ? state : null;
    }

    private static string Concat(string bucket, string? key, int keyPart) =>
        keyPart == 0 ? bucket : string.Concat(bucket, "/", key.AsSpan(0, keyPart));

    private PrefixState Add(string prefix, long now)
    {
        lock (_addLock)
        {
            if (_prefixes.TryGetValue(prefix, out PrefixState? existing))
            {
                return existing;
            }

            if (_prefixes.Count >= _options.MaxPrefixes)
            {
                // Forget the prefix throttled longest ago: the bound keeps a client that meets millions of prefixes small.
                PrefixState? oldest = null;
                foreach (PrefixState s in _prefixes.Values)
                {
                    if (oldest is null || s.LastThrottle < oldest.LastThrottle)
                    {
                        oldest = s;
                    }
                }

                _prefixes.TryRemove(oldest!.Prefix, out _);
            }

            var state = new PrefixState(prefix, now, _time.TimestampFrequency, _options);
            _prefixes[prefix] = state;
            _active = true;
            return state;
        }
    }

    /// <summary>Characters of <paramref name="key"/> in its prefix (0: the bucket alone).</summary>
    private int KeyPartLength(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return 0;
        }

        int length;
        if (_options.Characters > 0)
        {
            length = Math.Min(_options.Characters, key.Length);
        }
        else
        {
            length = 0;
            int found = 0;
            for (int at = key.IndexOf(_options.Delimiter); at >= 0; at = key.IndexOf(_options.Delimiter, at + 1))
            {
                length = at;
                if (++found == _options.Depth)
                {
                    break;
                }
            }
        }

        return Math.Min(length, _options.MaxLength);
    }

    /// <summary>Characters of the key in the parent of a prefix of <paramref name="own"/> characters: up to the
    /// prefix's last delimiter, or none (the bucket) — always the bucket for character prefixes.</summary>
    private int ParentLength(string key, int own) =>
        _options.Characters > 0 ? 0 : Math.Max(0, key.AsSpan(0, own).LastIndexOf(_options.Delimiter));

    /// <summary>One prefix's bucket. Timestamps are the limiter clock's; all fields are guarded by the lock.</summary>
    private sealed class PrefixState
    {
        private readonly Lock _lock = new();
        private double _rateAtCut;
        private long _cutAt;
        private double _tokens;
        private long _last; // tokens are counted up to here; after a retry-after, it lies in the future (a pause)
        private double _lowest;
        private long _throttles;
        private int _cuts;
        private long _delayed;
        private readonly double _frequency;

        public PrefixState(string prefix, long now, long frequency, PrefixRateOptions options)
        {
            Prefix = prefix;
            _frequency = frequency;
            _rateAtCut = options.StartRate;
            _lowest = options.StartRate;
            _cutAt = now;
            _last = now;
            _tokens = Burst(options.StartRate, options);
            LastThrottle = now;
        }

        public string Prefix { get; }

        public long LastThrottle { get; private set; }

        public double RateAt(long now, PrefixRateOptions options)
        {
            lock (_lock)
            {
                return Rate(now, options);
            }
        }

        public TimeSpan Reserve(long now, PrefixRateOptions options)
        {
            lock (_lock)
            {
                double rate = Rate(now, options);
                if (rate >= options.StartRate && now >= _last)
                {
                    return TimeSpan.Zero; // recovered: full speed, nothing counted
                }

                Accrue(now, rate, options);
                _tokens -= 1;
                double seconds = Math.Max(0, _last - now) / _frequency + SecondsToEarn(Math.Max(0, -_tokens), rate, options);
                if (seconds <= 0)
                {
                    return TimeSpan.Zero;
                }

                _delayed++;
                // Rounded to the tick, not truncated: a reservation interval of 1/rate stays exact on an exact clock.
                return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
            }
        }

        public void Throttled(long now, long sentAt, long pauseTicks, PrefixRateOptions options)
        {
            lock (_lock)
            {
                _throttles++;
                LastThrottle = now;
                double rate = Rate(now, options);
                Accrue(now, rate, options);
                // An answer to a request sent before the last cut was sent at the old rate: it says nothing about the new
                // one. And at most one cut per MinCutInterval: the retries of one burst of 503s, bunched by a busy
                // client, otherwise cut a rate to the floor within a second.
                if (_cuts == 0 || (sentAt >= _cutAt && now - _cutAt >= options.MinCutInterval.TotalSeconds * _frequency))
                {
                    _rateAtCut = Math.Max(options.MinRate, rate * options.Decrease);
                    _cutAt = now;
                    _cuts++;
                    _lowest = Math.Min(_lowest, _rateAtCut);
                    _tokens = Math.Min(_tokens, Burst(_rateAtCut, options));
                }

                if (pauseTicks > 0 && now + pauseTicks > _last)
                {
                    _last = now + pauseTicks; // the server said when: nothing goes to this prefix before then
                }
            }
        }

        public PrefixRateSnapshot Snapshot(long now, PrefixRateOptions options)
        {
            lock (_lock)
            {
                double rate = Rate(now, options);
                return new PrefixRateSnapshot(Prefix, rate, _lowest, _throttles, _cuts, _delayed, rate < options.StartRate || now < _last);
            }
        }

        private double Rate(long now, PrefixRateOptions options)
        {
            double since = Math.Max(0, now - _cutAt) / _frequency;
            return options.Growth > 0
                ? Math.Min(options.StartRate, _rateAtCut * Math.Exp(Math.Log(1 + options.Growth) * since))
                : Math.Min(options.StartRate, _rateAtCut + options.Increase * since);
        }

        private void Accrue(long now, double rate, PrefixRateOptions options)
        {
            if (now > _last)
            {
                _tokens = Math.Min(Burst(rate, options), _tokens + (now - _last) / _frequency * rate);
                _last = now;
            }
        }

        /// <summary>
        /// How long until <paramref name="deficit"/> tokens are earned, with the rate climbing from
        /// <paramref name="rate"/> (by <see cref="PrefixRateOptions.Growth"/> or <see cref="PrefixRateOptions.Increase"/>)
        /// up to the start rate — the rate the prefix will have, not the one it has now. Priced at today's rate, a queue
        /// built up at the floor (1/s) kept its requests asleep for minutes after the rate had recovered: 64 in flight at
        /// 1/s is a 64 s wait, where the climbing rate earns 64 tokens in seconds.
        /// </summary>
        private static double SecondsToEarn(double deficit, double rate, PrefixRateOptions options)
        {
            if (deficit <= 0) return 0;
            if (rate >= options.StartRate) return deficit / rate;
            double rampSeconds, rampTokens;
            if (options.Growth > 0)
            {
                // rate·e^(kt): earns rate·(e^(kt) − 1)/k tokens in t seconds.
                double k = Math.Log(1 + options.Growth);
                rampSeconds = Math.Log(options.StartRate / rate) / k;
                rampTokens = (options.StartRate - rate) / k;
                if (deficit > rampTokens) return rampSeconds + ((deficit - rampTokens) / options.StartRate);
                return Math.Log(1 + (k * deficit / rate)) / k;
            }

            double a = options.Increase;
            if (a <= 0) return deficit / rate;
            rampSeconds = (options.StartRate - rate) / a;
            rampTokens = (rate * rampSeconds) + (a * rampSeconds * rampSeconds / 2);
            if (deficit > rampTokens) return rampSeconds + ((deficit - rampTokens) / options.StartRate);
            // deficit = rate·t + a·t²/2, solved for t.
            return (Math.Sqrt((rate * rate) + (2 * a * deficit)) - rate) / a;
        }

        private static double Burst(double rate, PrefixRateOptions options) => Math.Max(1, rate * options.BurstSeconds);
    }
}
