namespace Sluice.Server.Tests.Compat;

/// <summary>The third-party clients the compatibility suite drives.</summary>
public enum S3Client
{
    AwsCli,
    Boto3,
    Rclone,
    S3cmd,
    Curl,
}
