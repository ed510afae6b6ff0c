using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// One in-process server per test class (free loopback port, temp data directory) plus a temp work directory for
/// the client's config and files; runs client processes with a timeout and captures their output. Cleartext, or TLS
/// with a test CA (<see cref="TlsCompatServer"/>).
/// </summary>
public class CompatServer : IAsyncLifetime
{
    public const string AccessKey = "AKIDCOMPATTEST", Secret = "compat/secret+KEY0123";
    public const string Region = "us-east-1";

    /// <summary>Over every client's multipart threshold once configured (awscli 8 MiB, rclone/s3cmd as set up).</summary>
    public const int LargeSize = 100 * 1024 * 1024 + 12345;

    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromMinutes(3);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-compat-" + Guid.NewGuid().ToString("N"));
    private readonly Tls.TestCa? _ca;
    private readonly bool _inMemory;
    private SluiceServer? _server;
    private int _fileCounter;

    public CompatServer() : this(null)
    {
    }

    private protected CompatServer(Tls.TestCa? ca, bool inMemory = false)
    {
        _ca = ca;
        _inMemory = inMemory;
    }

    /// <summary>With TLS: the test CA's certificate as a PEM file (AWS_CA_BUNDLE, --ca-bundle, boto3's verify=).</summary>
    public string CaBundle => _ca != null ? Path.Combine(WorkDirectory, "ca.pem") : throw new InvalidOperationException("not TLS");

    public SluiceServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>The endpoint as clients take it: "http://127.0.0.1:port" (https with TLS; no trailing slash).</summary>
    public string Endpoint => Server.Endpoint.ToString().TrimEnd('/');

    public string HostPort => $"{Server.Endpoint.Host}:{Server.Endpoint.Port}";

    /// <summary>A directory for client configs and files, removed with the server.</summary>
    public string WorkDirectory => Path.Combine(_root, "work");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(WorkDirectory);
        _ca?.WriteRootPem(CaBundle);
        _server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            TlsCertificate = _ca?.Server,
            DataDirectory = _inMemory ? null : Path.Combine(_root, "data"),
            InMemory = _inMemory,
            MemoryLimit = 4L << 30, // several copies of the 100 MB objects at once
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 2,
            KmsKeys = KmsKeys,
        });
    }

    /// <summary>SSE-KMS keys the server is started with (none by default).</summary>
    private protected virtual IReadOnlyList<Service.Encryption.KmsKey>? KmsKeys => null;

    public async Task DisposeAsync()
    {
        if (_server != null) await _server.StopAsync();
        _ca?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>A path in the work directory that does not exist yet.</summary>
    public string NewPath(string hint = "file") =>
        Path.Combine(WorkDirectory, $"{hint}-{Interlocked.Increment(ref _fileCounter)}");

    /// <summary>Writes <paramref name="size"/> random bytes to a new file; returns its path and contents.</summary>
    public (string Path, byte[] Data) RandomFile(int size, string hint = "data")
    {
        var data = new byte[size];
        RandomNumberGenerator.Fill(data);
        string path = NewPath(hint);
        File.WriteAllBytes(path, data);
        return (path, data);
    }

    /// <summary>Byte-exact comparison of a downloaded file with what was uploaded (a hash first, for a short message).</summary>
    public static void AssertFileEquals(byte[] expected, string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var actual = File.ReadAllBytes(path);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{path}: contents differ from the upload");
    }

    /// <summary>Runs a client with the given arguments and environment; kills it (and fails) after the timeout.</summary>
    /// <summary>
    /// An AWS SDK-style profile for this server (config and credentials files named after <paramref name="name"/> in
    /// the work directory, with <paramref name="extraConfig"/> lines under [default]) and the environment pointing
    /// awscli or botocore at it, never at the machine's own ~/.aws or instance metadata.
    /// </summary>
    public Dictionary<string, string> AwsProfileEnvironment(string name, string extraConfig = "")
    {
        string config = Path.Combine(WorkDirectory, name + "-config"), credentials = Path.Combine(WorkDirectory, name + "-credentials");
        File.WriteAllText(config, $"[default]\nregion = {Region}\n{extraConfig}");
        File.WriteAllText(credentials, $"[default]\naws_access_key_id = {AccessKey}\naws_secret_access_key = {Secret}\n");
        return new()
        {
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentials,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
    }

    public async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = WorkDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // No proxy, no user config: the client talks to this server only and sees only the config the test gives it.
        psi.Environment["HOME"] = WorkDirectory;
        foreach (var name in psi.Environment.Keys.ToList())
        {
            if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("RCLONE_", StringComparison.Ordinal)
                || name.EndsWith("_proxy", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(name);
        }
        psi.Environment["NO_PROXY"] = "*";
        if (environment != null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;

        string command = Path.GetFileName(fileName) + " " + string.Join(' ', psi.ArgumentList);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? s_defaultTimeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            Assert.Fail($"`{command}` timed out after {timeout ?? s_defaultTimeout}\nstderr: {await stderr}");
        }
        return new ProcessResult(command, p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A plain HTTP request (for presigned URLs the clients made): status and body.</summary>
    public static async Task<(int Status, byte[] Body)> HttpAsync(HttpMethod method, string url, byte[]? body = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(method, url);
        if (body != null) request.Content = new ByteArrayContent(body);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }
}

/// <summary>A <see cref="CompatServer"/> that serves TLS only, with a certificate from a CA made for the test class.</summary>
public sealed class TlsCompatServer : CompatServer
{
    public TlsCompatServer() : base(new Tls.TestCa())
    {
    }
}

/// <summary>A <see cref="CompatServer"/> on the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class MemoryCompatServer : CompatServer
{
    public MemoryCompatServer() : base(null, inMemory: true)
    {
    }
}
