using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests.Bench;

/// <summary>
/// `sluice bench agent 127.0.0.1:0` as a real process: started, its port read from the line it prints, its stderr
/// drained; stopped with SIGTERM by <see cref="StopAsync"/>, which returns its exit code.
/// </summary>
internal sealed partial class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private AgentProcess(Process process, Task<string> stderr, string address)
    {
        _process = process;
        _stderr = stderr;
        Address = address;
    }

    /// <summary>host:port it listens on.</summary>
    public string Address { get; }

    public static async Task<AgentProcess> StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "bench", "agent", "127.0.0.1:0" }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // Bounds a start that never comes (a broken build), not a speed: the agent announces itself once listening.
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var match = line is null ? null : Listening().Match(line);
        if (match is not { Success: true })
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the agent did not start: {line} {await stderr}");
        }
        _ = process.StandardOutput.ReadToEndAsync(); // keep the pipe drained
        return new AgentProcess(process, stderr, match!.Groups[1].Value);
    }

    /// <summary>Stops it with SIGTERM; its exit code and what it wrote on stderr.</summary>
    public async Task<(int ExitCode, string StdErr)> StopAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
        }
        return (_process.ExitCode, await _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (127\.0\.0\.1:[0-9]+)$")]
    private static partial Regex Listening();
}
