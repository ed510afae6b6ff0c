using System.Collections.Concurrent;

namespace Sluice.Server.Access;

/// <summary>
/// Each bucket's parsed policy (null: none), read from the store once and kept until the policy changes, so a request
/// never reads or parses the document. Changes go through <see cref="Set"/> / <see cref="Forget"/> after the store
/// has the new document. A stored document that no longer parses (written by hand, or by a future version) is kept
/// as a policy that denies every request it is asked about: access never fails open.
/// </summary>
public sealed class BucketPolicyCache : IBucketPolicySource
{
    private readonly Func<string, ValueTask<byte[]?>> _load;
    private readonly ConcurrentDictionary<string, IAccessPolicy?> _policies = new(StringComparer.Ordinal);
    private int _generation;

    /// <param name="load">Reads a bucket's stored policy document (null: none).</param>
    public BucketPolicyCache(Func<string, ValueTask<byte[]?>> load)
    {
        _load = load;
    }

    /// <summary>The bucket's policy, or null when it has none.</summary>
    public ValueTask<IAccessPolicy?> GetAsync(string bucket) =>
        _policies.TryGetValue(bucket, out var known) ? ValueTask.FromResult(known) : LoadAsync(bucket);

    private async ValueTask<IAccessPolicy?> LoadAsync(string bucket)
    {
        int generation = Volatile.Read(ref _generation);
        byte[]? document = await _load(bucket).ConfigureAwait(false);
        IAccessPolicy? policy = null;
        if (document != null)
        {
            try
            {
                policy = BucketPolicy.Parse(document, bucket);
            }
            catch (BucketPolicyException)
            {
                policy = DenyAll.Instance;
            }
        }
        lock (_policies)
        {
            // A policy changed while this one was read must not be cached over the change.
            if (generation == _generation) _policies[bucket] = policy;
        }
        return policy;
    }

    /// <summary>Records the bucket's new policy (null: deleted), once the store has it.</summary>
    /// <summary>The authorization stage's hook (<see cref="IBucketPolicySource"/>): the bucket's parsed policy.</summary>
    public ValueTask<IAccessPolicy?> GetPolicyAsync(string bucket, CancellationToken cancellationToken = default) => GetAsync(bucket);

    public void Set(string bucket, BucketPolicy? policy)
    {
        lock (_policies)
        {
            _generation++;
            _policies[bucket] = policy;
        }
    }

    /// <summary>Forgets what is known of the bucket (deleted, or changed outside this cache).</summary>
    public void Forget(string bucket)
    {
        lock (_policies)
        {
            _generation++;
            _policies.TryRemove(bucket, out _);
        }
    }

    private sealed class DenyAll : IAccessPolicy
    {
        public static readonly DenyAll Instance = new();

        public AccessDecision Evaluate(AccessRequest request) => AccessDecision.ExplicitDeny;

        public bool IsPublic => false;
    }
}
