namespace Sluice.Server.Storage;

/// <summary>A bucket and when it was created (persisted, as ListBuckets reports it).</summary>
public sealed record BucketInfo(string Name, DateTimeOffset CreationDate);
