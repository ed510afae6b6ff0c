using System.Diagnostics;
using System.Globalization;

namespace Sluice.Server.Tests.Storage;

/// <summary>
/// The crash half of a kill test whose child prints one <c>ack STEP KIND ID</c> line per acknowledged step: runs
/// <c>Sluice.Server.FaultHost</c> with <c>loop directory mode</c>, reads acknowledgements until a random target, lets
/// a random slice of the next step run, SIGKILLs the child and returns every acknowledgement it printed — including
/// those still in the pipe when it died, since those were acknowledged too.
/// </summary>
internal static class AckedKill
{
    public static async Task<List<(int Step, string Kind, string Id)>> RunAsync(string loop, string directory, string mode, int minimum, int spread)
    {
        var acks = new List<(int Step, string Kind, string Id)>();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Server.FaultHost.dll"));
        psi.ArgumentList.Add(loop);
        psi.ArgumentList.Add(directory);
        psi.ArgumentList.Add(mode);
        void Parse(string text)
        {
            var parts = text.Split(' ');
            if (parts.Length == 4 && parts[0] == "ack") acks.Add((int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3]));
        }
        using var child = Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync();
        int target = minimum + Random.Shared.Next(spread);
        var timeout = Task.Delay(TimeSpan.FromMinutes(10)); // a hang guard for a loaded machine, not a timing
        while (acks.Count < target)
        {
            var line = child.StandardOutput.ReadLineAsync();
            if (await Task.WhenAny(line, timeout) == timeout || await line is not { } text)
            {
                child.Kill();
                Assert.Fail($"the writer stopped after {acks.Count} acknowledgements: {await stderr}");
                return acks;
            }
            Parse(text);
        }
        await Task.Delay(Random.Shared.Next(20)); // a random slice of the next step, not an ordering
        child.Kill(); // SIGKILL on Unix
        await child.WaitForExitAsync();
        foreach (string text in (await child.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Parse(text);
        return acks;
    }
}
