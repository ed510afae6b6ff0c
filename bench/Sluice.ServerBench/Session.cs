using System.Diagnostics;
using System.Globalization;

namespace Sluice.ServerBench;

/// <summary>
/// The servers and files of one benchmark run: a working directory on the disk under test holding nginx's root,
/// one data directory per sluice engine and fio's file; the same object bytes are a file in nginx's root and an
/// object in bucket <see cref="Bucket"/> of every sluice server.
/// </summary>
internal sealed class Session : IDisposable
{
    public const string Bucket = "bench", LargeName = "large.bin";

    private readonly bool _ownsDirectory;

    public Session(BenchOptions options)
    {
        Options = options;
        _ownsDirectory = options.Directory == null;
        Directory = options.Directory ?? Path.Combine(Path.GetTempPath(), $"sluice-serverbench-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(Directory);
        WebRoot = Path.Combine(Directory, "www");
        System.IO.Directory.CreateDirectory(WebRoot);
    }

    public BenchOptions Options { get; }
    public string Directory { get; }
    public string WebRoot { get; }
    public Dictionary<string, ServerProcess> Sluice { get; } = [];
    public ServerProcess? Nginx { get; private set; }
    public List<string> Notes { get; } = [];

    public static string SmallName(int size) => $"small-{size >> 10}k.bin";

    /// <summary>Writes the test files, starts nginx and one sluice per engine, and uploads the same bytes to each.</summary>
    public void Start(bool large, bool small, bool kestrel = false)
    {
        if (large) WriteRandomFile(Path.Combine(WebRoot, LargeName), Options.LargeBytes);
        if (small) foreach (int size in Options.SmallSizes) WriteRandomFile(Path.Combine(WebRoot, SmallName(size)), size);
        if (!kestrel) // the Kestrel comparison is between sluice's own fronts
        {
            string nginxWork = Path.Combine(Directory, "nginx");
            System.IO.Directory.CreateDirectory(nginxWork);
            Nginx = ServerProcess.StartNginx(WebRoot, nginxWork);
        }
        string dll = Options.SluiceDll ?? FindSluiceDll();
        foreach (string engine in kestrel ? Options.Engines[..1] : Options.Engines)
        {
            var server = ServerProcess.StartSluice(dll, engine, Path.Combine(Directory, $"data-{engine}"), Options.OpenCache, kestrel);
            Sluice[engine] = server;
            var requests = new S3Requests(server.Port, sign: true);
            using var connection = HttpConnection.ConnectAsync(server.EndPoint).GetAwaiter().GetResult();
            Expect(connection, requests.Build("PUT", $"/{Bucket}", contentLength: 0), [200, 409]);
            foreach (string file in System.IO.Directory.EnumerateFiles(WebRoot))
                UploadFile(connection, requests, file);
        }
    }

    private static void UploadFile(HttpConnection connection, S3Requests requests, string file)
    {
        long length = new FileInfo(file).Length;
        connection.SendAsync(requests.Build("PUT", $"/{Bucket}/{Path.GetFileName(file)}", contentLength: length)).AsTask().GetAwaiter().GetResult();
        using var stream = File.OpenRead(file);
        byte[] chunk = new byte[1 << 20];
        int n;
        while ((n = stream.Read(chunk)) > 0) connection.SendAsync(chunk.AsMemory(0, n)).AsTask().GetAwaiter().GetResult();
        var (status, _) = connection.ReadResponseAsync().AsTask().GetAwaiter().GetResult();
        if (status != 200) throw new InvalidOperationException($"uploading {Path.GetFileName(file)} answered {status}");
    }

    public static void Expect(HttpConnection connection, byte[] request, int[] statuses)
    {
        connection.SendAsync(request).AsTask().GetAwaiter().GetResult();
        var body = new MemoryStream();
        var (status, _) = connection.ReadResponseAsync(keepHead: true, body).AsTask().GetAwaiter().GetResult();
        if (!statuses.Contains(status))
            throw new InvalidOperationException($"{System.Text.Encoding.ASCII.GetString(request).Split('\r')[0]} answered {status}: {System.Text.Encoding.UTF8.GetString(body.ToArray())}");
    }

    private static void WriteRandomFile(string path, long length)
    {
        if (File.Exists(path) && new FileInfo(path).Length == length) return;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        byte[] chunk = new byte[4 << 20];
        for (long left = length; left > 0; left -= chunk.Length)
        {
            Random.Shared.NextBytes(chunk);
            stream.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
        stream.Flush(flushToDisk: true);
    }

    /// <summary>src/Sluice.Cli's build output of the same configuration, found from the repository root.</summary>
    private static string FindSluiceDll()
    {
        string configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Sluice.slnx"))) continue;
            string dll = Path.Combine(dir.FullName, "src", "Sluice.Cli", "bin", configuration, "net10.0", "sluice.dll");
            if (File.Exists(dll)) return dll;
            throw new FileNotFoundException($"{dll} is missing: build src/Sluice.Cli -c {configuration} first");
        }
        throw new FileNotFoundException("repository root (Sluice.slnx) not found above the benchmark; pass --sluice PATH");
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static int RunProcess(string file, IEnumerable<string> args, out string stdout, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{file} did not finish in {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was killed");
        }
        process.WaitForExit();
        stdout = errors.GetAwaiter().GetResult() + output.GetAwaiter().GetResult();
        return process.ExitCode;
    }

    public void Dispose()
    {
        ServerProcess.StopAll();
        if (_ownsDirectory && !Options.Keep)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"could not remove {Directory}: {e.Message}");
            }
        }
    }
}
