using System.Globalization;

namespace Sluice.ClientBench;

/// <summary>
/// How each client under test is started for each operation. Every client gets the same part size and concurrency
/// where it takes them; the differences that remain are listed in docs/benchmarks.md.
/// </summary>
internal static class ClientKinds
{
    public const string AwsCrt = "awscrt", Boto3 = "boto3", Rclone = "rclone", AwsSdk = "awssdk",
        Sluice = "sluice", SluiceManaged = "sluice-managed", SluiceCli = "sluice-cli";

    /// <summary>Order of the tables: the baseline first.</summary>
    public static readonly IReadOnlyList<string> All = [AwsCrt, Boto3, Rclone, AwsSdk, Sluice, SluiceManaged, SluiceCli];

    /// <summary>Display names for the tables.</summary>
    public static string Title(string client) => client switch
    {
        AwsCrt => "aws-c-s3 (python3-awscrt)",
        Boto3 => "boto3 / s3transfer",
        Rclone => "rclone",
        AwsSdk => "AWS SDK for .NET",
        Sluice => "Sluice (io_uring)",
        SluiceManaged => "Sluice (managed)",
        SluiceCli => "sluice cp (CLI, io_uring)",
        _ => client,
    };

    /// <summary>Whether the client's runner reports its own phase timings (all but rclone and `sluice cp`, which are timed whole).</summary>
    public static bool ReportsPhases(string client) => client is not (Rclone or SluiceCli);

    /// <summary>Whether the client takes part in the small-object runs (`sluice cp` copies one object per process).</summary>
    public static bool RunsSmall(string client) => client != SluiceCli;

    public static ChildCommand Get(Context c, string client, string key, string? file, bool defaults = false) => client switch
    {
        Rclone => file == null
            ? new(["--stdout-null", "rclone", "--config", c.RcloneConfig, "cat", $"s3:{c.Bucket}/{key}"])
            : new(["rclone", "--config", c.RcloneConfig, "copyto", $"s3:{c.Bucket}/{key}", file,
                "--multi-thread-streams", Str(c.Options.Concurrency), "--multi-thread-cutoff", RcloneSize(c.Options.PartSize),
                "--ignore-checksum"]),
        SluiceCli => Cli(c, [$"s3://{c.Bucket}/{key}", file ?? "-"], toStdout: file == null),
        _ => Runner(c, client, ["get", "--key", key, .. file == null ? Array.Empty<string>() : ["--file", file]], defaults),
    };

    /// <summary>Uploads <paramref name="file"/>; rclone gets --ignore-times, or it skips a same-size, same-time object of an earlier run.</summary>
    public static ChildCommand Put(Context c, string client, string key, string file) => client switch
    {
        Rclone => new(["rclone", "--config", c.RcloneConfig, "copyto", file, $"s3:{c.Bucket}/{key}",
            "--s3-upload-concurrency", Str(c.Options.Concurrency), "--s3-chunk-size", RcloneSize(c.Options.PartSize),
            "--s3-upload-cutoff", RcloneSize(c.Options.PartSize), "--s3-disable-checksum", "--ignore-times"]),
        SluiceCli => Cli(c, [file, $"s3://{c.Bucket}/{key}"], toStdout: false),
        _ => Runner(c, client, ["put", "--key", key, "--file", file], defaults: false),
    };

    /// <summary>
    /// The small-object workload as one or more commands, each with the phase it measures as a whole (null when the
    /// runner reports its own put and get phases).
    /// </summary>
    public static IReadOnlyList<(ChildCommand Command, string? WholePhase)> Small(Context c, string client, string prefix,
        int objectSize, string localSource, string localTarget)
    {
        if (client == Rclone)
        {
            string n = Str(c.Options.SmallConcurrency);
            return
            [
                (new(["rclone", "--config", c.RcloneConfig, "copy", localSource, $"s3:{c.Bucket}/{prefix}",
                    "--transfers", n, "--checkers", n, "--no-check-dest", "--s3-no-head", "--s3-disable-checksum"]), "put"),
                (new(["rclone", "--config", c.RcloneConfig, "copy", $"s3:{c.Bucket}/{prefix}", localTarget,
                    "--transfers", n, "--checkers", n, "--ignore-checksum"]), "get"),
            ];
        }
        var cmd = Runner(c, client, ["small", "--prefix", prefix, "--count", Str(c.Options.Objects), "--object-size", Str(objectSize),
            "--concurrency", Str(c.Options.SmallConcurrency)], defaults: false, concurrency: false);
        return [(cmd, null)];
    }

    private static ChildCommand Runner(Context c, string client, string[] args, bool defaults, bool concurrency = true)
    {
        var common = new List<string> { "--endpoint", c.Endpoint, "--bucket", c.Bucket };
        if (!defaults)
        {
            common.AddRange(["--part-size", Str(c.Options.PartSize)]);
            if (concurrency) common.AddRange(["--concurrency", Str(c.Options.Concurrency)]);
        }
        string[] tail = [.. args, .. common];
        return client switch
        {
            AwsCrt => new(["/usr/bin/python3", c.Layout.Peer("awscrt_bench.py"), .. tail]),
            Boto3 => new(["/usr/bin/python3", c.Layout.Peer("boto3_bench.py"), .. tail]),
            AwsSdk => new([c.Layout.DotNet, c.Layout.AwsSdkDll, .. tail]),
            Sluice or SluiceManaged => new([.. RunnerCommand(c), SluiceRunner.Command, .. tail, .. defaults ? ["--defaults", "true"] : Array.Empty<string>()],
                new Dictionary<string, string?> { ["SLUICE_IO"] = client == Sluice ? "uring" : "managed" }),
            _ => throw new ArgumentException($"unknown client {client}"),
        };
    }

    /// <summary>
    /// `sluice cp SRC DST` from the published CLI, as a user runs it: the development keys the server takes, the
    /// io_uring engine, the same part size and parts in flight; "-" writes the object to stdout (sent to /dev/null).
    /// </summary>
    private static ChildCommand Cli(Context c, string[] paths, bool toStdout) =>
        new([.. toStdout ? ["--stdout-null"] : Array.Empty<string>(), c.SluiceCli ?? throw new InvalidOperationException("the CLI was not published"),
            "cp", .. paths, "--endpoint", c.Endpoint, "--part-size", Str(c.Options.PartSize), "--concurrency", Str(c.Options.Concurrency), "--quiet"],
            new Dictionary<string, string?>
            {
                ["SLUICE_IO"] = "uring",
                ["AWS_ACCESS_KEY_ID"] = ServerProcess.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = ServerProcess.SecretKey,
                ["AWS_REGION"] = "us-east-1",
            });

    /// <summary>A runner DLL (--sluice-runner) runs under `dotnet`; the harness's self-contained publish is an executable.</summary>
    private static string[] RunnerCommand(Context c) => c.SluiceRunner switch
    {
        null => [.. c.Layout.SelfCommand],
        { } dll when dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) => [c.Layout.DotNet, dll],
        { } executable => [executable],
    };

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>rclone reads a bare number as KiB: say bytes.</summary>
    private static string RcloneSize(long bytes) => Str(bytes) + "B";
}

/// <summary>A child command line and the environment variables it needs.</summary>
internal sealed record ChildCommand(IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?>? Environment = null);

/// <summary>
/// What every command needs: where things are, the server, the bucket and the options; the Sluice runner's DLL (null:
/// this build) and the published `sluice` executable (null when sluice-cli is not measured).
/// </summary>
internal sealed record Context(Layout Layout, BenchOptions Options, string Endpoint, string Bucket, string RcloneConfig, string Work,
    string? SluiceRunner, string? SluiceCli);
