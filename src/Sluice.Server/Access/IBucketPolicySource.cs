namespace Sluice.Server.Access;

/// <summary>
/// The hook through which the authorization stage obtains a bucket's policy (the bucket-policy engine plugs in here:
/// <see cref="BucketAccessCache.Policies"/>, set where <see cref="SluiceServer"/> builds the cache). Called when the stage loads a bucket's access state — once per
/// bucket until <see cref="BucketAccessCache.Invalidate"/> is called for it, which whoever changes a policy must do
/// after the change is durable.
/// </summary>
public interface IBucketPolicySource
{
    /// <summary>The bucket's parsed policy, or null when it has none. A failure (a damaged document) denies every
    /// request to the bucket but an administrator's until it is fixed: access never fails open.</summary>
    ValueTask<IAccessPolicy?> GetPolicyAsync(string bucket, CancellationToken cancellationToken = default);
}
