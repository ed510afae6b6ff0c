using System.Diagnostics;

namespace Sluice.ClientBench;

/// <summary>
/// Client benchmark: Sluice's client against aws-c-s3 (python3-awscrt), boto3/s3transfer, rclone and the AWS SDK
/// for .NET on one `sluice serve`, each client in its own measured process. `all|large|small|budget` orchestrate;
/// `sluice-run` is the Sluice client runner the orchestrator starts as a child.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == SluiceRunner.Command) return await SluiceRunner.RunAsync(args[1..]);
            if (args.Length > 0 && args[0] == WanWire.Command) return WanWire.Run(args[1..]);
            if (args.Length > 0 && args[0] == WanCheck.Command) return WanCheck.Run(args[1..]);
            return Orchestrate(BenchOptions.Parse(args));
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            await Console.Error.WriteLineAsync($"Sluice.ClientBench: {e.Message}");
            return 1;
        }
    }

    private static int Orchestrate(BenchOptions options)
    {
        Children.InstallCleanup();
        var layout = Layout.Find();
        bool ownWork = options.Work == null;
        string work = options.Work ?? Path.Combine(Path.GetTempPath(), $"sluice-clientbench-{System.Environment.ProcessId}");
        Directory.CreateDirectory(work);
        var orchestrator = new Orchestrator(layout, options);
        string before = Uptime();
        var clock = Stopwatch.StartNew();
        try
        {
            orchestrator.Run(work);
        }
        finally
        {
            Children.KillAll();
            if (ownWork) TryDelete(work);
        }
        string report = Report.Build(orchestrator, options, before, Uptime(), clock.Elapsed);
        Console.WriteLine(report);
        if (options.Out != null) File.WriteAllText(options.Out, report);
        return orchestrator.Failures.Count == 0 ? 0 : 1;
    }

    private static string Uptime()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("uptime") { UseShellExecute = false, RedirectStandardOutput = true });
            string text = p?.StandardOutput.ReadToEnd() ?? "";
            p?.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "uptime unavailable";
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            Orchestrator.Progress($"could not remove {directory}: {e.Message}");
        }
    }
}
