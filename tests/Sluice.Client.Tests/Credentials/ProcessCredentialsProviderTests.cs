using Sluice.Client.Credentials;

namespace Sluice.Client.Tests.Credentials;

/// <summary>credential_process with real scripts.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes: Sluice is Linux-only
public sealed class ProcessCredentialsProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>An executable shell script in the test directory.</summary>
    internal static string Script(string directory, string name, string body)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task The_process_output_becomes_credentials_and_arguments_keep_their_quotes()
    {
        // The script echoes its arguments into the token, so the word splitting is checked on the way.
        string script = Script(_dir, "creds with space.sh", """
            if read -r line; then exit 9; fi   # stdin is empty (closed), so a `cp -` upload keeps its own
            printf '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "proc/secret", "SessionToken": "%s|%s|%s", "Expiration": "2031-02-03T04:05:06Z"}' "$1" "$2" "$3"
            """);
        var provider = new ProcessCredentialsProvider($"'{script}' \"two words\" it\\'s plain");
        AwsCredentials c = await provider.GetCredentialsAsync(default);
        Assert.Equal(("AKIDPROC", "proc/secret", "two words|it's|plain"), (c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        Assert.Equal(new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero), c.Expiration);

        string longTerm = Script(_dir, "static.sh", """echo '{"Version": 1, "AccessKeyId": "AKIDLONG", "SecretAccessKey": "s"}'""");
        AwsCredentials l = await new ProcessCredentialsProvider(longTerm).GetCredentialsAsync(default);
        Assert.Equal(("AKIDLONG", null, null), (l.AccessKeyId, l.SessionToken, l.Expiration));
    }

    [Fact]
    public async Task Failures_are_one_line_naming_credential_process()
    {
        string failing = Script(_dir, "fail.sh", "echo 'token expired,' >&2\necho 'log in again' >&2\nexit 3");
        var e = await Assert.ThrowsAsync<AwsCredentialsException>(async () =>
            await new ProcessCredentialsProvider(failing).GetCredentialsAsync(default));
        Assert.Equal("credential_process exited 3: token expired, log in again", e.Message);

        string version2 = Script(_dir, "v2.sh", """echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}'""");
        e = await Assert.ThrowsAsync<AwsCredentialsException>(async () =>
            await new ProcessCredentialsProvider(version2).GetCredentialsAsync(default));
        Assert.Equal("credential_process: the output must be a JSON object with \"Version\": 1", e.Message);

        string noSecret = Script(_dir, "nosecret.sh", """echo '{"Version": 1, "AccessKeyId": "A"}'""");
        e = await Assert.ThrowsAsync<AwsCredentialsException>(async () =>
            await new ProcessCredentialsProvider(noSecret).GetCredentialsAsync(default));
        Assert.Equal("credential_process: the answer has no SecretAccessKey", e.Message);

        e = await Assert.ThrowsAsync<AwsCredentialsException>(async () =>
            await new ProcessCredentialsProvider(Path.Combine(_dir, "missing")).GetCredentialsAsync(default));
        Assert.StartsWith("credential_process: cannot run ", e.Message);
    }

    [Fact]
    public void Command_lines_split_like_a_shell_without_expansions()
    {
        Assert.Equal(["a", "b c", "d\"e", "$HOME", "f g"], ProcessCredentialsProvider.SplitCommandLine("a  'b c' \"d\\\"e\" '$HOME' f\\ g"));
        Assert.Throws<AwsCredentialsException>(() => ProcessCredentialsProvider.SplitCommandLine("a 'b"));
    }
}
