namespace Sluice.S3.Xml;

/// <summary>An <c>Error</c> entry of a DeleteObjects response: the key that could not be deleted, and why.</summary>
public sealed class DeleteError
{
    public string Key { get; set; } = string.Empty;

    public string? VersionId { get; set; }

    public string Code { get; set; } = string.Empty;

    public string? Message { get; set; }
}
