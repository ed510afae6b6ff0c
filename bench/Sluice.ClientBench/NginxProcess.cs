using System.Diagnostics;
using System.Net.Sockets;

namespace Sluice.ClientBench;

/// <summary>
/// Debian's nginx serving the large object as a static file at the same path (/bench/large) on 127.0.0.1, for
/// GET-only runs: nginx ignores the signature, answers ranges with sendfile, and costs far less CPU than any S3
/// server, so the clients' differences show with the server's cost mostly out of the way. One foreground process
/// (master_process off) under measure.py, killed on dispose.
/// </summary>
internal sealed class NginxProcess : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private readonly Process _process;

    private NginxProcess(Process process) => _process = process;

    public static bool Installed => File.Exists(Binary);

    private const string Binary = "/usr/sbin/nginx";

    /// <summary>Starts nginx with <paramref name="root"/> as document root; the object must already be in place.</summary>
    public static NginxProcess Start(Layout layout, string work, string root, int port)
    {
        string prefix = Path.Combine(work, "nginx");
        Directory.CreateDirectory(prefix);
        string config = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(config, ResultLine.Format($$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 1000000;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location / { }
                }
            }
            """));
        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { layout.Peer("measure.py"), Binary, "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log") })
            psi.ArgumentList.Add(a);
        ChildEnvironment.Isolate(psi, null);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start nginx");
        Children.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", port);
                return new NginxProcess(process);
            }
            catch (SocketException) when (clock.Elapsed < StartLimit && !process.HasExited)
            {
                Thread.Sleep(100);
            }
            catch (SocketException)
            {
                Children.Kill(process);
                throw new InvalidOperationException($"nginx did not start; see {prefix}/error.log");
            }
        }
    }

    public void Dispose()
    {
        Children.Kill(_process);
        _process.Dispose();
    }
}
