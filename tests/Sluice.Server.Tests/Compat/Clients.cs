using System.Diagnostics;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Where Debian's client binaries live. Paths are explicit on purpose: a pip-installed `aws` (v1) or a `python3`
/// without boto3 earlier on PATH must not stand in for the packaged clients the suite is about.
/// </summary>
internal static class Clients
{
    public const string Aws = "/usr/bin/aws";
    public const string Python = "/usr/bin/python3";
    public const string Rclone = "/usr/bin/rclone";
    public const string S3cmd = "/usr/bin/s3cmd";
    public const string Curl = "/usr/bin/curl";

    private static readonly Lazy<bool> s_boto3 = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var psi = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import boto3");
        using var p = Process.Start(psi)!;
        return p.WaitForExit(TimeSpan.FromSeconds(30)) && p.ExitCode == 0;
    });

    public static bool IsInstalled(S3Client client) => client switch
    {
        S3Client.AwsCli => File.Exists(Aws),
        S3Client.Boto3 => s_boto3.Value,
        S3Client.Rclone => File.Exists(Rclone),
        S3Client.S3cmd => File.Exists(S3cmd),
        S3Client.Curl => File.Exists(Curl),
        _ => false,
    };

    public static string Describe(S3Client client) => client switch
    {
        S3Client.AwsCli => $"awscli ({Aws})",
        S3Client.Boto3 => $"python3-boto3 (for {Python})",
        S3Client.Rclone => $"rclone ({Rclone})",
        S3Client.Curl => $"curl ({Curl})",
        _ => $"s3cmd ({S3cmd})",
    };
}
