namespace Sluice.S3.Xml;

/// <summary>
/// One <c>Object</c> of a DeleteObjects request: key, optional version, and the optional per-object conditions of a
/// conditional delete (ETag, LastModifiedTime, Size: the object is deleted only if its current version matches).
/// </summary>
public sealed class ObjectIdentifier
{
    public string Key { get; set; } = string.Empty;

    public string? VersionId { get; set; }

    /// <summary>Delete only if the current version has this ETag (as If-Match).</summary>
    public string? ETag { get; set; }

    /// <summary>Delete only if the current version was last modified at this time (to the second).</summary>
    public DateTimeOffset? LastModifiedTime { get; set; }

    /// <summary>Delete only if the current version has this size.</summary>
    public long? Size { get; set; }
}
