namespace Sluice.Server.Storage;

/// <summary>One object found by <see cref="ObjectStore.EnumerateObjectsAsync"/> (for rebuilding the key index).</summary>
public readonly record struct StoredObject(string Bucket, string Key, ObjectMetadata Metadata);
