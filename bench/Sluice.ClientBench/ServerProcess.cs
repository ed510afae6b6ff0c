using System.Diagnostics;

namespace Sluice.ClientBench;

/// <summary>
/// `sluice serve` in its own process (io_uring engine, development credentials) on 127.0.0.1, so its CPU is not
/// counted against any client. Killed on dispose, and by measure.py if the benchmark dies.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    public const string AccessKey = "sluice", SecretKey = "sluice-dev-secret";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private ServerProcess(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>http://ADDRESS:PORT (no trailing slash).</summary>
    public string Endpoint { get; }

    /// <summary>
    /// Starts the server on <paramref name="address"/>:<paramref name="port"/>; <paramref name="wan"/> (a WAN profile)
    /// runs it inside the profile's namespace, on the namespace's address.
    /// </summary>
    public static ServerProcess Start(Layout layout, string dataDirectory, int port, WanNetwork? wan = null)
    {
        string address = wan?.ServerAddress ?? "127.0.0.1";
        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { layout.Peer("measure.py") }.Concat(wan?.Exec ?? []).Concat([layout.DotNet, layout.SluiceDll, "serve", "--data", dataDirectory,
            "--listen", ResultLine.Format($"{address}:{port}"), "--engine", "uring"]))
            psi.ArgumentList.Add(a);
        ChildEnvironment.Isolate(psi, null);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start sluice serve");
        Children.Add(process);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) { ready.TrySetException(new InvalidOperationException("sluice serve exited: " + string.Join(" | ", log))); return; }
            lock (log) log.Add(e.Data);
            if (e.Data.Contains("serving S3 at", StringComparison.Ordinal)) ready.TrySetResult(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null) lock (log) log.Add(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (!ready.Task.Wait(StartLimit)) throw new TimeoutException("sluice serve did not start within 60 s");
        }
        catch
        {
            Children.Kill(process);
            throw;
        }
        Console.Error.WriteLine(ready.Task.Result);
        return new ServerProcess(process, ResultLine.Format($"http://{address}:{port}"));
    }

    public void Dispose()
    {
        Children.Kill(_process);
        _process.Dispose();
    }
}
