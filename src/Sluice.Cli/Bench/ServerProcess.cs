using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Bench;

/// <summary>
/// The embedded server for a bench run: `sluice serve` as a child process on a free loopback port over a temporary
/// directory, so its CPU and memory are measured apart from the client's. Stopped (SIGTERM, then kill) and its
/// directory removed on dispose.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private ServerProcess(Process process, string directory, Uri endpoint, Uri? http2Endpoint)
    {
        _process = process;
        _directory = directory;
        Endpoint = endpoint;
        Http2Endpoint = http2Endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>The Kestrel listener (HTTP/1.1 and h2c) when started with one; null otherwise.</summary>
    public Uri? Http2Endpoint { get; }

    /// <summary>CPU time the server has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The server's peak resident set so far (VmHWM).</summary>
    public long PeakRss
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <param name="http2">Also listen with the Kestrel front (h2c) on a free port, announced on the second line.</param>
    public static async Task<ServerProcess> StartAsync(string accessKey, string secretKey, string? io, bool http2,
        CancellationToken cancellationToken)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sluice-bench-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? "dotnet";
        psi.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        foreach (string a in new[] { "serve", "--data", directory, "--listen", "127.0.0.1:0", "--access-key", accessKey, "--secret-key", secretKey })
            psi.ArgumentList.Add(a);
        if (http2)
        {
            psi.ArgumentList.Add("--listen-h2");
            psi.ArgumentList.Add("127.0.0.1:0");
        }
        if (io is "uring" or "managed")
        {
            psi.ArgumentList.Add("--engine");
            psi.ArgumentList.Add(io);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the embedded server");
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            string? line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            var match = line is null ? null : ServingLine().Match(line);
            if (match is not { Success: true })
                throw new InvalidOperationException($"the embedded server did not start: {line ?? (await stderr).Trim()}");
            Uri? h2 = null;
            if (http2)
            {
                string? second = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                var h2Match = second is null ? null : ServingLine().Match(second);
                if (h2Match is not { Success: true })
                    throw new InvalidOperationException($"the embedded server did not announce its HTTP/2 listener: {second}");
                h2 = new Uri(h2Match.Groups[1].Value);
            }
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep its pipe drained
            return new ServerProcess(process, directory, new Uri(match.Groups[1].Value), h2);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            TryDelete(directory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                    await term.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
            TryDelete(_directory);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"serving S3 at (http://[^ /]+)/?")]
    private static partial Regex ServingLine();
}
