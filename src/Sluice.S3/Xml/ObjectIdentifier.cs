namespace Sluice.S3.Xml;

/// <summary>One <c>Object</c> of a DeleteObjects request: key and optional version.</summary>
public sealed class ObjectIdentifier
{
    public string Key { get; set; } = string.Empty;

    public string? VersionId { get; set; }
}
