using System.Diagnostics;

namespace Sluice.ClientBench;

/// <summary>
/// The precompiled builds the benchmark runs, made as Sluice ships: <c>dotnet publish -c Release</c>, which takes
/// ReadyToRun, linux-x64 and the runtime settings from src/Sluice.Cli/Publish.props (the file install.sh uses). Made
/// once at the start, into the scratch directory, before anything is measured.
/// </summary>
internal static class PublishedBuild
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    /// <summary>Publishes <paramref name="project"/> (relative to the repository root) into <paramref name="output"/>.</summary>
    public static void Publish(Layout layout, string project, string output)
    {
        Orchestrator.Progress($"publishing {project} (ReadyToRun, src/Sluice.Cli/Publish.props) into {output}");
        var psi = new ProcessStartInfo(layout.DotNet) { WorkingDirectory = layout.Root };
        foreach (string a in new[] { "publish", Path.Combine(layout.Root, project), "-c", "Release", "-o", output, "-nologo", "-nodeReuse:false" })
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var (exitCode, stdout, stderr) = Children.Run(psi, Limit, $"dotnet publish {project}");
        if (exitCode != 0)
        {
            string tail = string.Join('\n', (stdout + stderr).Split('\n').TakeLast(20));
            throw new InvalidOperationException($"dotnet publish {project} failed:\n{tail}");
        }
    }
}
