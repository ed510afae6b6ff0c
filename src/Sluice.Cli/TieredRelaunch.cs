using System.Collections;
using System.Runtime.InteropServices;

namespace Sluice.Cli;

/// <summary>
/// The shipped `sluice` is published with tiered compilation off: a client command makes one transfer and exits, its
/// precompiled code is good enough, and tier-1 recompiles of hot methods cost ~0.25 CPU s per GiB uploaded
/// (docs/transfer.md). A server or a load generator runs long enough for tier 1 to pay back, so `serve` and `bench`
/// replace the process with itself (execve: same pid, same descriptors, so signals and exit codes need no relaying)
/// with DOTNET_TieredCompilation=1, which the runtime takes over the runtimeconfig setting.
/// </summary>
internal static partial class TieredRelaunch
{
    private const string Variable = "DOTNET_TieredCompilation";

    /// <summary>Execs the tiered runtime for long-running commands; returns when there is nothing to do (or exec failed).</summary>
    public static void IfLongRunning(string[] args)
    {
        if (args.Length == 0 || !IsLongRunning(args)) return;
        // Only a build that turned tiering off (the publish) relaunches, and a user's own choice stands.
        if (!AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool tiered) || tiered) return;
        if (Environment.GetEnvironmentVariable(Variable) is not null || Environment.GetEnvironmentVariable("COMPlus_TieredCompilation") is not null) return;
        // The published executable; under `dotnet sluice.dll` the host's own arguments are not known here.
        string? exe = Environment.ProcessPath;
        if (exe is null || Path.GetFileName(exe) == "dotnet") return;

        var argv = new List<string>(args.Length + 1) { exe };
        argv.AddRange(args);
        var envp = new List<string> { Variable + "=1" };
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) envp.Add($"{e.Key}={e.Value}");
        Exec(exe, argv, envp);
        // Still here: execve failed (the binary moved?). Run untiered rather than not at all.
    }

    private static bool IsLongRunning(string[] args) =>
        args[0] == "serve" || (args[0] == "bench" && (args.Length < 2 || args[1] is not ("compare" or "analyze")));

    private static unsafe void Exec(string path, List<string> argv, List<string> envp)
    {
        nint file = Marshal.StringToCoTaskMemUTF8(path);
        nint* a = (nint*)NativeMemory.Alloc((nuint)(argv.Count + 1), (nuint)sizeof(nint));
        nint* e = (nint*)NativeMemory.Alloc((nuint)(envp.Count + 1), (nuint)sizeof(nint));
        for (int i = 0; i < argv.Count; i++) a[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
        for (int i = 0; i < envp.Count; i++) e[i] = Marshal.StringToCoTaskMemUTF8(envp[i]);
        a[argv.Count] = 0;
        e[envp.Count] = 0;
        if (Execve(file, a, e) == 0) return; // never: a successful execve does not return
        // Failed (the process continues untiered): give the strings back.
        for (int i = 0; i < argv.Count; i++) Marshal.FreeCoTaskMem(a[i]);
        for (int i = 0; i < envp.Count; i++) Marshal.FreeCoTaskMem(e[i]);
        NativeMemory.Free(a);
        NativeMemory.Free(e);
        Marshal.FreeCoTaskMem(file);
    }

    [LibraryImport("libc", EntryPoint = "execve")]
    private static unsafe partial int Execve(nint path, nint* argv, nint* envp);
}
