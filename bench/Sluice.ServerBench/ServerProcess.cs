using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sluice.ServerBench;

/// <summary>
/// A server under test running as its own process (sluice serve or nginx), bound to 127.0.0.1, so its CPU time and
/// peak RSS can be read from /proc before and after each measurement. Disposing stops it (SIGTERM, then SIGKILL of
/// the whole tree after a grace period).
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    /// <summary>Every server started and not yet stopped: killed on exit, whatever the path out.</summary>
    private static readonly List<ServerProcess> Live = [];

    private readonly Process _process;
    private readonly List<string> _log = [];

    private ServerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        lock (Live) Live.Add(this);
    }

    public string Name { get; }
    public int Port { get; private set; }
    public int Pid => _process.Id;
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>CPU seconds of the server and its workers so far.</summary>
    public double CpuSeconds()
    {
        var (user, system) = ProcFs.TreeCpu(Pid);
        return user + system;
    }

    public long PeakRssBytes() => ProcFs.TreePeakRss(Pid);

    /// <summary>The Kestrel listener's port (--listen-h2), 0 without one.</summary>
    public int Http2Port { get; private set; }

    public static ServerProcess StartSluice(string dll, string engine, string dataDirectory, int? openCache = null, bool kestrel = false)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (string a in new[] { dll, "serve", "--data", dataDirectory, "--listen", "127.0.0.1:0", "--engine", engine })
            psi.ArgumentList.Add(a);
        if (openCache is { } size)
        {
            psi.ArgumentList.Add("--open-cache");
            psi.ArgumentList.Add(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (kestrel)
        {
            psi.ArgumentList.Add("--listen-h2");
            psi.ArgumentList.Add("127.0.0.1:0");
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start sluice");
        var server = new ServerProcess($"sluice-{engine}", process);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        const string Marker = "serving S3 at http://127.0.0.1:";
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (server._log) server._log.Add(e.Data);
            int at = e.Data.IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0) return;
            string rest = e.Data[(at + Marker.Length)..];
            int end = rest.IndexOfAny(['/', ' ']);
            int port = int.Parse(end < 0 ? rest : rest[..end], CultureInfo.InvariantCulture);
            // With --listen-h2 the Kestrel listener's line follows the first: ready once both are known.
            if (e.Data.Contains("; Kestrel)", StringComparison.Ordinal)) server.Http2Port = port;
            else server.Port = port;
            if (!kestrel || server.Http2Port != 0) ready.TrySetResult(server.Port);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null) lock (server._log) server._log.Add(e.Data);
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("sluice exited before serving"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.WaitReady(ready.Task);
        return server;
    }

    public static ServerProcess StartNginx(string root, string workDirectory)
    {
        int port = FreePort();
        string conf = Path.Combine(workDirectory, "nginx.conf");
        // sendfile on as Debian ships it; 2 workers for 2 cores; keep-alive long enough for the whole load.
        File.WriteAllText(conf, $$"""
            daemon off;
            master_process on;
            worker_processes 2;
            pid {{workDirectory}}/nginx.pid;
            error_log {{workDirectory}}/nginx-error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 100000000;
                keepalive_timeout 65;
                default_type application/octet-stream;
                client_body_temp_path {{workDirectory}}/client_body;
                proxy_temp_path {{workDirectory}}/proxy;
                fastcgi_temp_path {{workDirectory}}/fastcgi;
                uwsgi_temp_path {{workDirectory}}/uwsgi;
                scgi_temp_path {{workDirectory}}/scgi;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location / { }
                }
            }
            """);
        var psi = new ProcessStartInfo("/usr/sbin/nginx")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (string a in new[] { "-p", workDirectory, "-c", conf, "-e", Path.Combine(workDirectory, "nginx-error.log") })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start nginx");
        var server = new ServerProcess("nginx", process);
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (server._log) server._log.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (server._log) server._log.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.WaitReady(WaitListeningAsync(process, port));
        return server;
    }

    private void WaitReady(Task<int> ready)
    {
        try
        {
            if (!ready.Wait(StartTimeout)) throw new TimeoutException($"{Name} did not start within {StartTimeout.TotalSeconds} s");
            Port = ready.Result;
        }
        catch (Exception e)
        {
            string log;
            lock (_log) log = string.Join(Environment.NewLine, _log);
            Dispose();
            throw new InvalidOperationException($"{Name} failed to start: {e.GetBaseException().Message}{Environment.NewLine}{log}", e);
        }
    }

    private static async Task<int> WaitListeningAsync(Process process, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited) throw new InvalidOperationException($"exited with code {process.ExitCode}");
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException("not listening");
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Stops the server: SIGTERM (both stop gracefully on it), then SIGKILL of the tree if it lingers.</summary>
    public void Dispose()
    {
        lock (Live)
        {
            if (!Live.Remove(this)) return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, SigTerm);
                if (!_process.WaitForExit(StopGrace)) _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        _process.Dispose();
    }

    /// <summary>Kills whatever is still running; called on every way out of the program.</summary>
    public static void StopAll()
    {
        ServerProcess[] live;
        lock (Live) live = [.. Live];
        foreach (var server in live) server.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
