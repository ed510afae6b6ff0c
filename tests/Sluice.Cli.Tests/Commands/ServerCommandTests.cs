using System.Net;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// The shared fixture of command tests that need a server: the embedded server in this process (real loopback
/// sockets) on a temp directory, the real sluice executable configured the AWS way through its environment (and
/// nothing from the machine's own profile), and the usual checks of exit codes and one-line errors.
/// </summary>
public abstract class ServerCommandTests : IAsyncLifetime
{
    protected ServerCommandTests(string accessKey, string secret, string name)
    {
        AccessKey = accessKey;
        Secret = secret;
        Root = Path.Combine(Path.GetTempPath(), $"sluice-{name}-{Guid.NewGuid():N}");
    }

    protected string AccessKey { get; }
    protected string Secret { get; }
    protected string Root { get; }
    protected SluiceServer Server { get; private set; } = null!;

    /// <summary>True: the embedded server runs the memory store instead of a data directory.</summary>
    protected virtual bool InMemory => false;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = InMemory ? null : Path.Combine(Root, "data"),
            InMemory = InMemory,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 2,
            KmsKeys = KmsKeys,
        });
    }

    /// <summary>SSE-KMS keys the server starts with (none by default: aws:kms is then 501).</summary>
    private protected virtual IReadOnlyList<Sluice.Server.Service.Encryption.KmsKey>? KmsKeys => null;

    public async Task DisposeAsync()
    {
        await Server.StopAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    protected Dictionary<string, string?> Environment(string? secret = null) => new()
    {
        ["AWS_ENDPOINT_URL"] = Server.Endpoint.ToString(),
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = secret ?? Secret,
        ["AWS_PROFILE"] = null,
        ["AWS_CONFIG_FILE"] = Path.Combine(Root, "no-config"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Root, "no-credentials"),
    };

    /// <summary>A path below the test's own directory.</summary>
    private protected string Local(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes <paramref name="size"/> random bytes (seeded) to a new local file and returns its path.</summary>
    private protected string NewFile(string relative, int size, int seed)
    {
        string path = Local(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private protected SluiceProcess.Result Sluice(params string[] args) => SluiceProcess.Run(Environment(), null, args);

    private protected static SluiceProcess.Result Ok(SluiceProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private protected static void OneLineError(SluiceProcess.Result r, int exitCode, string pattern)
    {
        Assert.Equal(exitCode, r.ExitCode);
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "one line on stderr: " + r.StdErr);
        Assert.Matches(pattern, lines[0]);
    }
}
