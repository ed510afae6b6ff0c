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
        _env = _s.AwsProfileEnvironment("aws", "output = json\n");
        _env["AWS_PAGER"] = "";
    }

    private protected Task<ProcessResult> Aws(params string[] args) =>
        _s.RunAsync(Clients.Aws, ["--endpoint-url", _s.Endpoint, .. args], _env);

    private protected async Task<JsonElement> AwsJson(params string[] args)
    {
        var r = (await Aws(args)).Ok();
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }
}
