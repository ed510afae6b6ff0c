namespace Sluice.S3.Xml;

/// <summary>A <c>Deleted</c> entry of a DeleteObjects response.</summary>
public sealed class DeletedObject
{
    public string Key { get; set; } = string.Empty;

    public string? VersionId { get; set; }

    /// <summary>True when the delete created (or removed) a delete marker; null when not reported.</summary>
    public bool? DeleteMarker { get; set; }

    public string? DeleteMarkerVersionId { get; set; }
}
