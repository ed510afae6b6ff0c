using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using Sluice.Cli.Tests.Commands;

namespace Sluice.Cli.Tests;

/// <summary>
/// The README's install command (install.sh) run for real into a temp directory: it must publish a precompiled
/// `sluice` (ReadyToRun, Dynamic PGO off) and link it into the bin directory, and that installed executable must
/// work against the embedded server: version, mb, cp up, ls, cp to stdout. The publish runs once
/// (<see cref="InstalledSluice"/>) and every test here uses its result.
/// </summary>
public sealed class InstallTests(InstalledSluice installed)
    : ServerCommandTests("AKIDINSTALL", "install/secret", "install"), IClassFixture<InstalledSluice>
{
    [Fact]
    public void Install_script_publishes_a_precompiled_sluice_linked_into_bin()
    {
        // A link to the published, self-contained executable.
        Assert.Equal(installed.Executable, new FileInfo(installed.Sluice).LinkTarget);
        using (var pe = new PEReader(File.OpenRead(Path.Combine(installed.Prefix, "sluice.dll"))))
            Assert.True((pe.PEHeaders.CorHeader!.Flags & CorFlags.ILLibrary) != 0, "sluice.dll is not ReadyToRun");
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(installed.Prefix, "sluice.runtimeconfig.json"))))
        {
            var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
            Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
            Assert.False(properties.GetProperty("System.Runtime.TieredCompilation").GetBoolean());
        }
        ServeRunsTiered(installed.Sluice, installed.Executable);
    }

    [Fact]
    public void The_installed_sluice_works_against_the_server()
    {
        string sluice = installed.Sluice;
        var version = Installed(sluice, null, "--version");
        Assert.Matches(@"^\d+\.\d+", version.StdOut.Trim());

        // Text, so the copy to stdout can be compared as captured; 300 KB, several reads and writes.
        byte[] random = new byte[150_000];
        new Random(7).NextBytes(random);
        string payload = Convert.ToHexString(random);
        string file = Path.Combine(Root, "payload.txt");
        File.WriteAllText(file, payload);
        Installed(sluice, null, "mb", "s3://installed");
        Installed(sluice, null, "cp", file, "s3://installed/dir/payload.txt");
        Assert.Contains("dir/payload.txt", Installed(sluice, null, "ls", "s3://installed", "--recursive").StdOut);
        var download = Installed(sluice, null, "cp", "s3://installed/dir/payload.txt", "-");
        Assert.Equal(payload, download.StdOut);

        var bad = SluiceProcess.RunExecutable(sluice, Environment(), null, "cp", "s3://installed/missing", "-");
        OneLineError(bad, Program.ExitFailure, "^sluice: ");
    }

    /// <summary>The installed `sluice serve` has re-executed itself (same pid, <paramref name="executable"/>) with tiered compilation on.</summary>
    private void ServeRunsTiered(string sluice, string executable)
    {
        var psi = new ProcessStartInfo(sluice) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "serve", "--data", Path.Combine(Root, "serve-data"), "--listen", "127.0.0.1:0" }) psi.ArgumentList.Add(a);
        psi.Environment.Remove("DOTNET_TieredCompilation"); // a choice made here would stand (no relaunch)
        psi.Environment.Remove("COMPlus_TieredCompilation");
        using var p = Process.Start(psi)!;
        try
        {
            _ = p.StandardError.ReadToEndAsync();
            var firstLine = p.StandardOutput.ReadLineAsync();
            Assert.True(firstLine.Wait(TimeSpan.FromMinutes(5)), "sluice serve did not start"); // a hang guard only
            Assert.True(firstLine.Result?.Contains("serving S3 at", StringComparison.Ordinal), $"serve: {firstLine.Result}");
            string environment = File.ReadAllText($"/proc/{p.Id}/environ");
            Assert.Contains("\0DOTNET_TieredCompilation=1\0", "\0" + environment);
            Assert.Equal(executable, new FileInfo($"/proc/{p.Id}/exe").LinkTarget);
        }
        finally
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    private SluiceProcess.Result Installed(string sluice, byte[]? stdin, params string[] args) =>
        Ok(SluiceProcess.RunExecutable(sluice, Environment(), stdin, args));
}

/// <summary>
/// One run of install.sh into a temp directory, shared by <see cref="InstallTests"/>. The publish compiles Sluice and
/// the runtime ahead of time, which takes minutes, and longer while other test assemblies run beside it (dotnet test
/// runs test projects in parallel): it gets its own budget, and the Cli tests' hang timeout allows for it
/// (Sluice.Cli.Tests.csproj). install.sh builds in a scratch directory, so the source tree's obj/ and bin/, which the
/// other test assemblies run from, are not touched.
/// </summary>
public sealed class InstalledSluice : IDisposable
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(40);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sluice-installed-{Guid.NewGuid():N}");

    public InstalledSluice()
    {
        Prefix = Path.Combine(_root, "lib");
        Bin = Path.Combine(_root, "bin");
        Directory.CreateDirectory(_root);
        RunInstall(Prefix, Bin);
    }

    public string Prefix { get; }
    public string Bin { get; }

    /// <summary>The link on the bin directory, as a user runs it.</summary>
    public string Sluice => Path.Combine(Bin, "sluice");

    /// <summary>The published executable the link points to.</summary>
    public string Executable => Path.Combine(Prefix, "sluice");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static void RunInstall(string prefix, string bin)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Sluice.slnx")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no Sluice.slnx above " + AppContext.BaseDirectory);
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root,
        };
        foreach (string a in new[] { Path.Combine(root, "install.sh"), "--prefix", prefix, "--bin", bin }) psi.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into the nested `dotnet publish`.
        foreach (string name in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(PublishLimit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"install.sh did not finish within {PublishLimit.TotalMinutes} min");
        }
        Assert.True(p.ExitCode == 0, $"install.sh exit {p.ExitCode}: {stdout.Result}\n{stderr.Result}");
        Assert.Contains("installed: " + Path.Combine(bin, "sluice"), stdout.Result);
    }
}
