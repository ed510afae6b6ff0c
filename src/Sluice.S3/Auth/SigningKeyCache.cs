using System.Collections.Concurrent;

namespace Sluice.S3.Auth;

/// <summary>
/// Derived signing keys per (secret, region, service), each keeping only the two newest scope dates (today and,
/// around midnight UTC, yesterday). Lookups use the request's bytes directly, so a hit never allocates; the key
/// derivation (four HMACs) runs once per secret per day. Thread-safe.
/// </summary>
public sealed class SigningKeyCache
{
    /// <summary>Default bound on distinct (secret, region, service) entries.</summary>
    public const int DefaultMaxEntries = 4096;

    private readonly ConcurrentDictionary<CacheKey, Slot> _slots;
    private readonly ConcurrentDictionary<CacheKey, Slot>.AlternateLookup<Probe> _lookup;
    private readonly int _maxEntries;
    private long _derivations;

    /// <summary>Creates a cache holding at most <paramref name="maxEntries"/> (secret, region, service) entries.</summary>
    public SigningKeyCache(int maxEntries = DefaultMaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _maxEntries = maxEntries;
        _slots = new ConcurrentDictionary<CacheKey, Slot>(KeyComparer.Instance);
        _lookup = _slots.GetAlternateLookup<Probe>();
    }

    /// <summary>How many keys were derived so far (cache misses); lets tests and metrics see reuse.</summary>
    public long DerivationCount => Interlocked.Read(ref _derivations);

    /// <summary>Returns the signing key for the scope, deriving and caching it on first use.</summary>
    public SigV4SigningKey GetOrCreate(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> date, ReadOnlySpan<byte> region,
        ReadOnlySpan<byte> service)
    {
        var probe = new Probe(secret, region, service);
        if (_lookup.TryGetValue(probe, out Slot? slot))
        {
            SigV4SigningKey? hit = slot.Find(date);
            if (hit is not null)
            {
                return hit;
            }
        }
        else
        {
            // A flood of distinct scopes (e.g. made-up regions) must not grow memory without bound.
            if (_slots.Count >= _maxEntries)
            {
                _slots.Clear();
            }

            slot = _slots.GetOrAdd(new CacheKey(secret.ToArray(), region.ToArray(), service.ToArray()), static _ => new Slot());
        }

        SigV4SigningKey key = SigV4SigningKey.Derive(secret, date, region, service);
        Interlocked.Increment(ref _derivations);
        slot.Offer(key);
        return key;
    }

    private readonly record struct CacheKey(byte[] Secret, byte[] Region, byte[] Service);

    private readonly ref struct Probe(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> region, ReadOnlySpan<byte> service)
    {
        public ReadOnlySpan<byte> Secret { get; } = secret;

        public ReadOnlySpan<byte> Region { get; } = region;

        public ReadOnlySpan<byte> Service { get; } = service;
    }

    private sealed class KeyComparer : IEqualityComparer<CacheKey>, IAlternateEqualityComparer<Probe, CacheKey>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(CacheKey x, CacheKey y) =>
            x.Secret.AsSpan().SequenceEqual(y.Secret) && x.Region.AsSpan().SequenceEqual(y.Region)
            && x.Service.AsSpan().SequenceEqual(y.Service);

        public int GetHashCode(CacheKey obj) => Hash(obj.Secret, obj.Region, obj.Service);

        public bool Equals(Probe alternate, CacheKey other) =>
            alternate.Secret.SequenceEqual(other.Secret) && alternate.Region.SequenceEqual(other.Region)
            && alternate.Service.SequenceEqual(other.Service);

        public int GetHashCode(Probe alternate) => Hash(alternate.Secret, alternate.Region, alternate.Service);

        public CacheKey Create(Probe alternate) =>
            new(alternate.Secret.ToArray(), alternate.Region.ToArray(), alternate.Service.ToArray());

        private static int Hash(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> region, ReadOnlySpan<byte> service)
        {
            var hash = new HashCode();
            hash.AddBytes(secret);
            hash.Add(secret.Length);
            hash.AddBytes(region);
            hash.Add(region.Length);
            hash.AddBytes(service);
            return hash.ToHashCode();
        }
    }

    /// <summary>The newest two dates for one (secret, region, service); replaced atomically as a pair.</summary>
    private sealed class Slot
    {
        private Pair? _pair;

        public SigV4SigningKey? Find(ReadOnlySpan<byte> date)
        {
            Pair? pair = Volatile.Read(ref _pair);
            if (pair is null)
            {
                return null;
            }

            if (pair.Latest.Date.SequenceEqual(date))
            {
                return pair.Latest;
            }

            return pair.Previous is not null && pair.Previous.Date.SequenceEqual(date) ? pair.Previous : null;
        }

        public void Offer(SigV4SigningKey key)
        {
            while (true)
            {
                Pair? current = Volatile.Read(ref _pair);
                Pair next;
                if (current is null)
                {
                    next = new Pair(key, null);
                }
                else
                {
                    int newer = key.Date.SequenceCompareTo(current.Latest.Date);
                    if (newer > 0)
                    {
                        next = new Pair(key, current.Latest);
                    }
                    else if (newer < 0 && (current.Previous is null || key.Date.SequenceCompareTo(current.Previous.Date) > 0))
                    {
                        next = new Pair(current.Latest, key);
                    }
                    else
                    {
                        // Same date (another thread won the race) or older than both kept dates: nothing to keep.
                        return;
                    }
                }

                if (ReferenceEquals(Interlocked.CompareExchange(ref _pair, next, current), current))
                {
                    return;
                }
            }
        }
    }

    private sealed record Pair(SigV4SigningKey Latest, SigV4SigningKey? Previous);
}
