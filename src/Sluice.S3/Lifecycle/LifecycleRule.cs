namespace Sluice.S3.Lifecycle;

/// <summary>
/// One lifecycle rule: its id, whether it is enabled, its filter, and its actions — expiration (after days, on a
/// date, or of expired delete markers), noncurrent-version expiration, and the abort of incomplete multipart uploads.
/// </summary>
public sealed class LifecycleRule
{
    public string Id { get; set; } = string.Empty;

    public bool Enabled { get; set; }

    public LifecycleFilter Filter { get; set; } = new();

    /// <summary>Expiration/Days: current versions expire this many days after they were written.</summary>
    public int? ExpirationDays { get; set; }

    /// <summary>Expiration/Date: current versions expire from this midnight (UTC) on.</summary>
    public DateTimeOffset? ExpirationDate { get; set; }

    /// <summary>Expiration/ExpiredObjectDeleteMarker: a delete marker with no versions behind it is removed.</summary>
    public bool? ExpiredObjectDeleteMarker { get; set; }

    /// <summary>NoncurrentVersionExpiration/NoncurrentDays.</summary>
    public int? NoncurrentDays { get; set; }

    /// <summary>NoncurrentVersionExpiration/NewerNoncurrentVersions: how many newer noncurrent versions to keep.</summary>
    public int? NewerNoncurrentVersions { get; set; }

    /// <summary>AbortIncompleteMultipartUpload/DaysAfterInitiation.</summary>
    public int? AbortDaysAfterInitiation { get; set; }

    /// <summary>Whether the rule has a Transition or NoncurrentVersionTransition (a storage tier change).</summary>
    public bool HasTransition { get; set; }

    public bool HasExpiration => ExpirationDays != null || ExpirationDate != null || ExpiredObjectDeleteMarker != null;

    public bool HasNoncurrentExpiration => NoncurrentDays != null || NewerNoncurrentVersions != null;
}
