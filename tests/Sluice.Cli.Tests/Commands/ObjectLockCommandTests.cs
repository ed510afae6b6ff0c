using Sluice.Client;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// <c>sluice mb --object-lock</c> and cp's object lock options through the real executable against the Sluice server:
/// single and multipart uploads and an s3-to-s3 copy carry the retention and legal hold asked, read back with HEAD;
/// the options refused where they cannot apply (a bucket without object lock answers InvalidRequest; a mode without a
/// date is a usage error).
/// </summary>
public sealed class ObjectLockCommandTests() : ServerCommandTests("AKIDCLILOCK", "cli/lock+secret", "lock")
{
    private S3Client Client() => new(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });

    private static readonly DateTimeOffset Far = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Mb_with_object_lock_and_cp_with_lock_options_lock_what_they_write()
    {
        await using var client = Client();
        Ok(Sluice("mb", "--object-lock", "s3://locked"));
        Assert.Equal("Enabled", (await client.GetObjectLockConfigurationAsync("locked")).ObjectLockEnabled);
        Assert.Equal("Enabled", (await client.GetBucketVersioningAsync("locked")).Status);
        string small = NewFile("small.bin", 1000, 1), big = NewFile("big.bin", 17 << 20, 2); // big: above the multipart threshold
        string[] lockOptions = ["--object-lock-mode", "COMPLIANCE", "--object-lock-retain-until-date", "2030-01-01T00:00:00Z",
            "--object-lock-legal-hold-status", "ON"];
        Ok(Sluice([.. new[] { "cp", small, "s3://locked/small" }, .. lockOptions]));
        Ok(Sluice([.. new[] { "cp", "--part-size", "5MiB", big, "s3://locked/big" }, .. lockOptions]));
        Ok(Sluice("cp", small, "s3://locked/free"));
        Ok(Sluice("cp", "s3://locked/free", "s3://locked/copied", "--object-lock-mode", "GOVERNANCE",
            "--object-lock-retain-until-date", "2030-01-01T00:00:00Z"));
        foreach (string key in new[] { "small", "big" })
        {
            var head = await client.HeadObjectAsync("locked", key);
            Assert.Equal(("COMPLIANCE", Far, true), (head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHold));
            var refused = await Assert.ThrowsAsync<S3Exception>(() => client.DeleteObjectAsync("locked", key, head.VersionId));
            Assert.Equal("AccessDenied", refused.Code);
        }
        Assert.Null((await client.HeadObjectAsync("locked", "free")).ObjectLockMode);
        var copied = await client.HeadObjectAsync("locked", "copied");
        Assert.Equal(("GOVERNANCE", Far, (bool?)null), (copied.ObjectLockMode, copied.ObjectLockRetainUntilDate, copied.ObjectLockLegalHold));

        // A bucket without object lock refuses the headers (nothing is written); a mode alone is a usage error.
        Ok(Sluice("mb", "s3://plain"));
        var noLock = Sluice([.. new[] { "cp", small, "s3://plain/x" }, .. lockOptions]);
        Assert.NotEqual(0, noLock.ExitCode);
        Assert.Contains("InvalidRequest", noLock.StdErr, StringComparison.Ordinal);
        var usage = Sluice("cp", small, "s3://locked/y", "--object-lock-mode", "GOVERNANCE");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--object-lock-retain-until-date", usage.StdErr, StringComparison.Ordinal);
    }
}
