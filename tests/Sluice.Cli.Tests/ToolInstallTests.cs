using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Sluice.Cli.Tests.Commands;

namespace Sluice.Cli.Tests;

/// <summary>
/// The README's .NET tool install run for real and offline: `dotnet pack` of src/Sluice.Cli (from the build these tests
/// run, --no-build) into a temp folder, `dotnet tool install --tool-path` from that folder alone (a nuget.config that
/// clears every other source), then the installed `sluice` run against the embedded server: --version, mb, cp up,
/// check, cp down. Pack and install write only below a temp directory.
/// </summary>
public sealed class ToolInstallTests() : ServerCommandTests("AKIDTOOL", "tool/secret", "tool")
{
    /// <summary>A hang guard only: the pack and the install take seconds.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    [Fact]
    public void The_packed_tool_installs_from_a_local_folder_and_works_against_the_server()
    {
        string feed = Local("feed"), tools = Local("tools"), config = Local("nuget.config");
        Directory.CreateDirectory(feed);
        string repository = RepositoryRoot();
        // The configuration these tests were built in is the one whose build output is packed.
        string configuration = typeof(ToolInstallTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        Dotnet(repository, "pack", Path.Combine(repository, "src", "Sluice.Cli", "Sluice.Cli.csproj"), "-c", configuration, "--no-build",
            "-o", feed, $"-p:PublishDir={Local("publish")}/", $"-p:NuspecOutputPath={Local("nuspec")}/", "-nodeReuse:false");
        string package = Assert.Single(Directory.GetFiles(feed, "sluice.*.nupkg"));

        // What the tool runs on: the command and its entry point, every assembly its dependency manifest names, and
        // both shared frameworks it needs (the server side uses Kestrel from ASP.NET Core).
        using (var zip = ZipFile.OpenRead(package))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            const string Tool = "tools/net10.0/any/";
            using (var settings = new StreamReader(zip.GetEntry(Tool + "DotnetToolSettings.xml")!.Open()))
                Assert.Contains("<Command Name=\"sluice\" EntryPoint=\"sluice.dll\" Runner=\"dotnet\" />", settings.ReadToEnd());
            using (var deps = JsonDocument.Parse(zip.GetEntry(Tool + "sluice.deps.json")!.Open()))
            {
                foreach (var library in deps.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject())
                {
                    if (!library.Value.TryGetProperty("runtime", out var runtime)) continue;
                    foreach (var assembly in runtime.EnumerateObject())
                        Assert.Contains(Tool + Path.GetFileName(assembly.Name), names);
                }
            }
            using var runtimeConfig = JsonDocument.Parse(zip.GetEntry(Tool + "sluice.runtimeconfig.json")!.Open());
            var frameworks = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray()
                .Select(f => f.GetProperty("name").GetString()).ToList();
            Assert.Equal(["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"], frameworks);
        }

        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var install = Dotnet(Root, "tool", "install", "--tool-path", tools, "--configfile", config, "sluice");
        Assert.Contains("'sluice'", install);

        string sluice = Path.Combine(tools, "sluice");
        var version = Run(sluice, "--version");
        Assert.Equal(SluiceProcess.Run("--version").StdOut, version.StdOut); // the same build as the tests'

        string file = NewFile("tool/payload.bin", 3 << 20, 11);
        Run(sluice, "mb", "s3://tool");
        Assert.Equal($"upload: {file} to s3://tool/payload.bin\n", Run(sluice, "cp", file, "s3://tool/payload.bin").StdOut);
        Assert.Equal("", Run(sluice, "check", Local("tool"), "s3://tool").StdOut);
        Run(sluice, "cp", "s3://tool/payload.bin", Local("back.bin"));
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Local("back.bin")));
    }

    private SluiceProcess.Result Run(string sluice, params string[] args) => Ok(SluiceProcess.RunExecutable(sluice, Environment(), null, args));

    private static string RepositoryRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Sluice.slnx")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no Sluice.slnx above " + AppContext.BaseDirectory);
        return root;
    }

    /// <summary>Runs the dotnet CLI; fails the test with its output unless it exits 0. Returns stdout.</summary>
    private static string Dotnet(string directory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into the nested commands.
        foreach (string name in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within {Limit.TotalMinutes} min");
        }
        Assert.True(p.ExitCode == 0, $"dotnet {string.Join(' ', args)}: exit {p.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
