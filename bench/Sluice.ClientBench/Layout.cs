namespace Sluice.ClientBench;

/// <summary>
/// Where the pieces are: the peer scripts next to this binary, and the server and AWS SDK peer built by the same
/// `dotnet run` (project references that are built but not loaded) under the same configuration and framework.
/// </summary>
internal sealed class Layout
{
    public required string Root { get; init; }
    public required string PeersDirectory { get; init; }
    public required string SluiceDll { get; init; }
    public required string AwsSdkDll { get; init; }
    public required string DotNet { get; init; }
    public required string[] SelfCommand { get; init; }

    public string Peer(string script) => Path.Combine(PeersDirectory, script);

    public static Layout Find()
    {
        string baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        // bin/<Configuration>/<tfm> of this project; the other projects build to the same relative place.
        string tfm = Path.GetFileName(baseDir);
        string configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        string root = baseDir;
        while (!File.Exists(Path.Combine(root, "Sluice.slnx")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("cannot find the repository root (Sluice.slnx) above " + baseDir);
        string Output(string project, string dll) => Path.Combine(root, project, "bin", configuration, tfm, dll);

        string exe = System.Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        string dotnet = Path.GetFileNameWithoutExtension(exe) == "dotnet" ? exe : "dotnet";
        var layout = new Layout
        {
            Root = root,
            PeersDirectory = Path.Combine(baseDir, "peers"),
            SluiceDll = Output("src/Sluice.Cli", "sluice.dll"),
            AwsSdkDll = Output("bench/Sluice.ClientBench.AwsSdk", "Sluice.ClientBench.AwsSdk.dll"),
            DotNet = dotnet,
            SelfCommand = [dotnet, typeof(Layout).Assembly.Location],
        };
        foreach (string f in new[] { layout.SluiceDll, layout.AwsSdkDll, layout.Peer("measure.py") })
            if (!File.Exists(f)) throw new FileNotFoundException($"missing {f}: build with `dotnet build -c {configuration} bench/Sluice.ClientBench`");
        return layout;
    }
}
