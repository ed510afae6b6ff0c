using System.Diagnostics;
using System.Globalization;

namespace Sluice.Server.Tests.Storage;

/// <summary>
/// The crash half of a kill test whose child prints an <c>ack …</c> line per acknowledged step: runs
/// <c>Sluice.Server.FaultHost</c> with <c>loop directory mode</c>, reads its output until a random number of
/// acknowledgements, lets a random slice of the next step run, SIGKILLs the child and returns every line it printed —
/// including those still in the pipe when it died, since those steps were acknowledged too.
/// </summary>
internal static class AckedKill
{
    /// <summary>Every line the child printed; it is killed after <paramref name="minimum"/> plus up to
    /// <paramref name="spread"/> <c>ack</c> lines.</summary>
    public static async Task<List<string>> RunLinesAsync(string loop, string directory, string mode, int minimum, int spread)
    {
        var lines = new List<string>();
        int acks = 0;
        void Add(string text)
        {
            lines.Add(text);
            if (IsAck(text)) acks++;
        }
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Server.FaultHost.dll"));
        psi.ArgumentList.Add(loop);
        psi.ArgumentList.Add(directory);
        psi.ArgumentList.Add(mode);
        using var child = Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync();
        int target = minimum + Random.Shared.Next(spread);
        var timeout = Task.Delay(TimeSpan.FromMinutes(10)); // a hang guard for a loaded machine, not a timing
        while (acks < target)
        {
            var line = child.StandardOutput.ReadLineAsync();
            if (await Task.WhenAny(line, timeout) == timeout || await line is not { } text)
            {
                child.Kill();
                Assert.Fail($"the writer stopped after {acks} acknowledgements: {await stderr}");
                return lines;
            }
            Add(text);
        }
        await Task.Delay(Random.Shared.Next(20)); // a random slice of the next step, not an ordering
        child.Kill(); // SIGKILL on Unix
        await child.WaitForExitAsync();
        foreach (string text in (await child.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Add(text);
        return lines;
    }

    /// <summary>The <c>ack STEP KIND ID</c> lines of a loop that prints them.</summary>
    public static async Task<List<(int Step, string Kind, string Id)>> RunAsync(string loop, string directory, string mode, int minimum, int spread)
    {
        var acks = new List<(int Step, string Kind, string Id)>();
        foreach (string text in await RunLinesAsync(loop, directory, mode, minimum, spread))
        {
            var parts = text.Split(' ');
            if (parts.Length == 4 && parts[0] == "ack") acks.Add((int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3]));
        }
        return acks;
    }

    /// <summary>The last step of the <c>ack STEP</c> lines in <paramref name="lines"/>; -1 when there is none.</summary>
    public static int LastAck(IEnumerable<string> lines) =>
        lines.Where(IsAck).Select(l => int.Parse(l.AsSpan(4), CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();

    public static bool IsAck(string line) => line.StartsWith("ack ", StringComparison.Ordinal);
}
