using System.Collections.Frozen;

namespace Sluice.Server.Access.Policy;

/// <summary>
/// The condition keys a bucket policy may test: IAM's global keys and S3's service keys (the Service Authorization
/// Reference's "Condition keys for Amazon S3"). Any other key is MalformedPolicy "Policy has an invalid condition key",
/// as S3 answers, so a misspelt key is refused instead of silently never matching. Names compare case-insensitively.
/// </summary>
internal static class ConditionKeyCatalog
{
    private static readonly FrozenSet<string> Keys = new[]
    {
        // Global keys.
        "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
        "aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
        "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer",
        "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SecureTransport",
        "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths",
        "aws:SourceOwner", "aws:SourceVpc", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent",
        "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp", "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
        // S3 keys.
        "s3:AccessGrantsInstanceArn", "s3:AccessPointNetworkOrigin", "s3:authType", "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn", "s3:delimiter", "s3:if-match", "s3:if-none-match", "s3:LocationConstraint",
        "s3:max-keys", "s3:object-lock-legal-hold", "s3:object-lock-mode", "s3:object-lock-remaining-retention-days",
        "s3:object-lock-retain-until-date", "s3:prefix", "s3:RequestObjectTagKeys", "s3:ResourceAccount",
        "s3:signatureAge", "s3:signatureversion", "s3:TlsVersion", "s3:VersionId", "s3:x-amz-acl",
        "s3:x-amz-content-sha256", "s3:x-amz-copy-source", "s3:x-amz-grant-full-control", "s3:x-amz-grant-read",
        "s3:x-amz-grant-read-acp", "s3:x-amz-grant-write", "s3:x-amz-grant-write-acp", "s3:x-amz-metadata-directive",
        "s3:x-amz-object-ownership", "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-customer-algorithm", "s3:x-amz-storage-class", "s3:x-amz-website-redirect-location",
        "s3:x-amz-checksum-algorithm",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys that name a tag or principal attribute after a slash.</summary>
    private static readonly string[] Prefixes =
        ["aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/", "s3:ExistingObjectTag/", "s3:RequestObjectTag/"];

    public static bool IsKnown(string key)
    {
        if (Keys.Contains(key)) return true;
        foreach (string prefix in Prefixes)
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
