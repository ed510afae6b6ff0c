namespace Sluice.Client.Model;

/// <summary>The canned ACLs S3 takes on a write (x-amz-acl).</summary>
public enum CannedAcl
{
    Private,
    PublicRead,
    PublicReadWrite,
    AuthenticatedRead,
    AwsExecRead,
    BucketOwnerRead,
    BucketOwnerFullControl,
    LogDeliveryWrite,
}
