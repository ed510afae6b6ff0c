namespace Sluice.Server.Storage;

/// <summary>
/// A bucket's versioning state (S3's three): never configured, Enabled, or Suspended. A bucket that was ever versioned
/// never returns to <see cref="Unversioned"/>. Stores keep it as the <see cref="BucketSetting.Versioning"/> document
/// and read it (cached) on every write: it decides whether a write replaces the key's version (unversioned), adds one
/// with a new id (enabled), or replaces the key's null version (suspended).
/// </summary>
public enum VersioningState
{
    /// <summary>Versioning never configured: every write replaces the key's one version, which has no id.</summary>
    Unversioned,

    /// <summary>Every write and delete adds a version (or a delete marker) with a new id.</summary>
    Enabled,

    /// <summary>Writes and deletes replace the key's null version and keep the others.</summary>
    Suspended,
}
