using Sluice.Client.Tests.Compat;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// The real `sluice` pointed at the RADOS Gateway of <see cref="RgwEnvironment.Current"/> (its endpoint and keys in the
/// AWS variables; no profile or config file of the machine can leak in), for the CLI's RGW tests.
/// </summary>
internal static class RgwCli
{
    public static Dictionary<string, string?> Environment()
    {
        var rgw = RgwEnvironment.Current!;
        return new()
        {
            ["AWS_ENDPOINT_URL"] = rgw.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = rgw.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = rgw.SecretKey,
            ["AWS_PROFILE"] = null,
            ["AWS_CONFIG_FILE"] = "/nonexistent-sluice-config",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent-sluice-credentials",
        };
    }
}
