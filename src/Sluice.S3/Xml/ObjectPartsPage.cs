namespace Sluice.S3.Xml;

/// <summary>One page of a multipart object's parts in GetObjectAttributes.</summary>
public sealed class ObjectPartsPage
{
    public int PartsCount { get; set; }

    public int PartNumberMarker { get; set; }

    public int NextPartNumberMarker { get; set; }

    public int MaxParts { get; set; }

    public bool IsTruncated { get; set; }

    public IList<ObjectPartEntry> Parts { get; } = new List<ObjectPartEntry>();
}
