namespace Sluice.Client.Model;

/// <summary>A listing: prefix, delimiter and where to start. Pagination is automatic in the IAsyncEnumerable forms.</summary>
public sealed record ListObjectsRequest(string Bucket)
{
    public string? Prefix { get; init; }

    public string? Delimiter { get; init; }

    /// <summary>V2: start-after; V1: marker.</summary>
    public string? StartAfter { get; init; }

    /// <summary>Keys per page (the server caps it at 1000).</summary>
    public int? MaxKeys { get; init; }

    public bool FetchOwner { get; init; }
}
