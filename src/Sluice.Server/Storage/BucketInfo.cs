namespace Sluice.Server.Storage;

/// <summary>A bucket and when it was created (persisted, as ListBuckets reports it).</summary>
public sealed record BucketInfo(string Name, DateTimeOffset CreationDate)
{
    /// <summary>The owner's canonical id; null for a bucket created before owners were recorded (it belongs to the
    /// server's first user, <see cref="Access.ServerUsers.LegacyOwner"/>).</summary>
    public string? OwnerId { get; init; }
}
