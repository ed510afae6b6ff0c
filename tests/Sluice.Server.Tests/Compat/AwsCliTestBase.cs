using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>Runs Debian's awscli (v2) against a <see cref="CompatServer"/> with temp config and credentials files.</summary>
public abstract class AwsCliTestBase
{
    private protected readonly CompatServer _s;
    private readonly Dictionary<string, string> _env;

    protected AwsCliTestBase(CompatServer server)
    {
        _s = server;
        string config = Path.Combine(_s.WorkDirectory, "aws-config"), credentials = Path.Combine(_s.WorkDirectory, "aws-credentials");
        File.WriteAllText(config, $"[default]\nregion = {CompatServer.Region}\noutput = json\n");
        File.WriteAllText(credentials,
            $"[default]\naws_access_key_id = {CompatServer.AccessKey}\naws_secret_access_key = {CompatServer.Secret}\n");
        _env = new()
        {
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentials,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_PAGER"] = "",
        };
    }

    private protected Task<ProcessResult> Aws(params string[] args) =>
        _s.RunAsync(Clients.Aws, ["--endpoint-url", _s.Endpoint, .. args], _env);

    private protected async Task<JsonElement> AwsJson(params string[] args)
    {
        var r = (await Aws(args)).Ok();
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }
}
