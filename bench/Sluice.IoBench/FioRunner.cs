using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Sluice.IoBench;

/// <summary>
/// The reference for the files scenario: fio with its io_uring engine, the same file, block size, queue depth,
/// warm-up and duration, as a child process with JSON output. Its numbers become result fields like a child's.
/// </summary>
internal static class FioRunner
{
    /// <summary>Time fio may take beyond warm-up + runtime (start, layout check, end fsync) before it is killed.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(60);

    public static bool Installed() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "fio")));

    /// <summary>
    /// fio's arguments for a workload. --fixedbufs and --registerfiles match what the io_uring engine does (READ_FIXED /
    /// WRITE_FIXED from the registered pool, IOSQE_FIXED_FILE from the ring's file table); --norandommap makes fio's offsets plainly uniform, like ours;
    /// --end_fsync puts the writes' fsync inside the timed run, like ours.
    /// </summary>
    public static List<string> Arguments(BenchOptions o, string workload, string file)
    {
        bool random = workload == "randread";
        int block = random ? FilesBenchmark.RandomBlock : FilesBenchmark.SequentialBlock;
        int depth = random ? o.RandomDepth : o.SequentialDepth;
        var args = new List<string>
        {
            $"--name={workload}", $"--filename={file}", $"--size={BenchOptions.Invariant(o.FileSize)}",
            "--ioengine=io_uring", "--direct=1", $"--rw={workload}", $"--bs={BenchOptions.Invariant(block)}",
            $"--iodepth={BenchOptions.Invariant(depth)}", "--fixedbufs", "--registerfiles",
            "--time_based", $"--ramp_time={Whole(o.Warmup)}", $"--runtime={Whole(o.FileDuration)}",
        };
        if (random) args.AddRange(["--norandommap", "--randrepeat=0"]);
        if (workload == "write") args.Add("--end_fsync=1");
        args.Add("--output-format=json");
        return args;
    }

    /// <summary>fio takes whole seconds unless given a unit; milliseconds are exact for any duration we accept.</summary>
    private static string Whole(TimeSpan t) => BenchOptions.Invariant((long)t.TotalMilliseconds) + "ms";

    public static Dictionary<string, string> Run(BenchOptions o, string workload, string file)
    {
        var args = Arguments(o, workload, file);
        var psi = new ProcessStartInfo("fio") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Console.Error.WriteLine($"> fio {string.Join(' ', args)}");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start fio");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(o.Warmup + o.FileDuration + Slack))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException("fio did not finish in time and was killed");
        }
        process.WaitForExit();
        string json = stdout.GetAwaiter().GetResult(), errors = stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0) throw new InvalidOperationException($"fio failed (exit code {process.ExitCode}): {errors}");
        return Parse(json, workload, workload == "randread" ? FilesBenchmark.RandomBlock : FilesBenchmark.SequentialBlock, args);
    }

    /// <summary>
    /// From fio's JSON: the job's io_bytes of the direction (I/Os = bytes / block size, as for ours), its runtime (ms, the timed part without
    /// ramp; for writes it includes the end fsync) and usr_cpu/sys_cpu, which fio gives as percentages of that
    /// runtime over getrusage of the job process.
    /// </summary>
    private static Dictionary<string, string> Parse(string json, string workload, int block, List<string> args)
    {
        // fio may print notes before the JSON object.
        int brace = json.IndexOf('{', StringComparison.Ordinal);
        if (brace < 0) throw new InvalidDataException("fio printed no JSON");
        using var doc = JsonDocument.Parse(json.AsMemory(brace));
        var root = doc.RootElement;
        var job = root.GetProperty("jobs")[0];
        var io = job.GetProperty(workload == "write" ? "write" : "read");
        double seconds = io.GetProperty("runtime").GetDouble() / 1000;
        double runtime = job.GetProperty("job_runtime").GetDouble() / 1000;
        double user = job.GetProperty("usr_cpu").GetDouble() / 100 * runtime;
        double sys = job.GetProperty("sys_cpu").GetDouble() / 100 * runtime;
        if (seconds <= 0) throw new InvalidDataException($"fio reported no {workload} runtime");

        var line = new ResultLine();
        line.Add("scenario", "files");
        line.Add("engine", "fio");
        line.Add("description", $"{root.GetProperty("fio version").GetString()} --ioengine=io_uring --fixedbufs --registerfiles (one job)");
        line.Add("workload", workload);
        long bytes = io.GetProperty("io_bytes").GetInt64();
        line.Add("ops", bytes / block);
        line.Add("bytes", bytes);
        line.Add("seconds", seconds);
        line.Add("cpu", user + sys);
        line.Add("user", user);
        line.Add("sys", sys);
        line.Add("switches", job.GetProperty("ctx").GetInt64());
        line.Add("enters", 0);
        line.Add("command", "fio " + string.Join(' ', args));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  fio {workload}: {io.GetProperty("iops").GetDouble():N0} IOPS, {io.GetProperty("bw_bytes").GetDouble() / (1L << 30):F2} GiB/s, " +
            $"CPU user {user:F2} s + sys {sys:F2} s over {runtime:F1} s"));
        return ResultLine.Parse(line.ToString())!;
    }
}
