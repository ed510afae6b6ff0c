using System.Diagnostics;

namespace Sluice.ClientBench;

/// <summary>The environment every child gets: the parent's, minus settings that would change a client's path.</summary>
internal static class ChildEnvironment
{
    /// <summary>
    /// Dropped for every child: a CA bundle setting makes rclone refuse plain-HTTP endpoints, and SLUICE_IO is set
    /// explicitly per run so an outer setting cannot pick the engine by accident.
    /// </summary>
    private static readonly string[] Dropped = ["AWS_CA_BUNDLE", "SLUICE_IO", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"];

    public static void Isolate(ProcessStartInfo psi, IReadOnlyDictionary<string, string?>? extra)
    {
        foreach (string name in Dropped) psi.Environment.Remove(name);
        // The .NET children (Sluice, the AWS SDK) run with the same runtime settings: no tiered-compilation surprises
        // differ between them, and no telemetry or first-run work in the measured processes.
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_gcServer"] = "0";
        if (extra == null) return;
        foreach (var (k, v) in extra)
        {
            if (v == null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
    }
}
