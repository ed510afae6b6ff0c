namespace Sluice.Client.Model;

/// <summary>A bucket's or an object's ACL (Get/PutBucketAcl, Get/PutObjectAcl): its owner and its grants.</summary>
public sealed record S3Acl(string OwnerId, IReadOnlyList<S3Grant> Grants)
{
    /// <summary>The owner's display name, as the server reported it (not sent when setting).</summary>
    public string? OwnerDisplayName { get; init; }
}
