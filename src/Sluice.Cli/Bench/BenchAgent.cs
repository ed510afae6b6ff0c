using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Sluice.Client;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench agent [ADDRESS]`: a load generator a driver (`sluice bench --agents ...`) steers. Listens on the
/// address given, serves one driver at a time (the next one waits in the backlog), runs each job the driver sends
/// with the same <see cref="BenchRunner"/> a local run uses, starting at the moment agreed with the driver, sends a
/// tick per second while it runs and every request's record when it ends, then removes the job's objects. Runs
/// until SIGINT or SIGTERM.
/// </summary>
internal static class BenchAgent
{
    /// <summary>Sluice's version: driver and agents must run the same one.</summary>
    public static string Version { get; } =
        typeof(BenchAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Unix milliseconds now.</summary>
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Listens on <paramref name="listen"/> and serves drivers until cancelled.</summary>
    public static async Task RunAsync(IPEndPoint listen, bool quiet, CancellationToken cancellationToken)
    {
        var listener = new TcpListener(listen);
        listener.Start();
        try
        {
            Console.WriteLine($"sluice: bench agent listening on {listener.LocalEndpoint}");
            await Console.Out.FlushAsync(CancellationToken.None);
            while (true)
            {
                TcpClient tcp;
                try
                {
                    tcp = await listener.AcceptTcpClientAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                string peer = tcp.Client.RemoteEndPoint?.ToString() ?? "driver";
                using var channel = new AgentChannel(tcp, peer);
                try
                {
                    if (!quiet) await Console.Error.WriteLineAsync($"sluice: bench agent: driver {peer} connected");
                    await ServeAsync(channel, quiet, cancellationToken);
                    if (!quiet) await Console.Error.WriteLineAsync($"sluice: bench agent: driver {peer} done");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException)
                {
                    // The driver went away or spoke nonsense: this session is over, the agent is not.
                    await Console.Error.WriteLineAsync($"sluice: bench agent: driver {peer}: {e.Message}");
                }
            }
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task ServeAsync(AgentChannel channel, bool quiet, CancellationToken cancellationToken)
    {
        var hello = await channel.ReceiveAsync(cancellationToken);
        if (hello.Type != "hello" || hello.Target is not { } target || hello.Agent is not { } index)
        {
            await channel.SendAsync(Error("expected hello with a target and an agent index"), cancellationToken);
            return;
        }
        if (hello.Version != Version)
        {
            await channel.SendAsync(Error($"this agent runs Sluice {Version}, the driver {hello.Version}: run the same version"), cancellationToken);
            return;
        }
        if (target.Io is "uring" or "managed") Environment.SetEnvironmentVariable("SLUICE_IO", target.Io);
        var options = new S3ClientOptions
        {
            Endpoint = new Uri(target.Endpoint), AccessKeyId = target.AccessKeyId, SecretAccessKey = target.SecretAccessKey,
            SessionToken = target.SessionToken, Region = target.Region, ForcePathStyle = target.ForcePathStyle,
            InsecureSkipTlsVerify = target.InsecureSkipTlsVerify,
        };
        await using var client = new S3Client(options);
        await channel.SendAsync(new AgentMessage { Type = "hello", Version = Version, Clock = Now }, cancellationToken);
        var runner = new BenchRunner(client, null, quiet, index);
        BenchJob? job = null;
        ObjectPool? pool = null;
        Task<AgentMessage>? pending = null; // a read begun during a run that the run's end left unanswered
        while (true)
        {
            var message = await (pending ?? channel.ReceiveAsync(cancellationToken));
            pending = null;
            switch (message.Type)
            {
                case "bye":
                    return;
                case "stop":
                    continue; // the run it meant to stop had already ended
                case "prepare" when message.Job is { } j:
                    try
                    {
                        pool = await runner.PrepareAsync(j, cancellationToken);
                        job = j;
                        await channel.SendAsync(new AgentMessage { Type = "ready" }, cancellationToken);
                    }
                    catch (Exception e) when (e is S3Exception or IOException or Sluice.IO.IoException or InvalidDataException or SocketException)
                    {
                        await channel.SendAsync(Error($"preparing {j.Name}: {ClientMessage(e)}"), cancellationToken);
                    }
                    break;
                case "start" when message.StartAt is { } startAt && job != null && pool != null:
                    pending = await RunJobAsync(channel, runner, job, pool, startAt, cancellationToken);
                    await runner.CleanupJobAsync(job, cancellationToken);
                    job = null;
                    pool = null;
                    break;
                default:
                    await channel.SendAsync(Error($"unexpected message '{message.Type}'"), cancellationToken);
                    return;
            }
        }
    }

    /// <summary>Runs a prepared job from <paramref name="startAt"/>; returns a read still pending when the run ended.</summary>
    private static async Task<Task<AgentMessage>?> RunJobAsync(AgentChannel channel, BenchRunner runner, BenchJob job, ObjectPool pool,
        long startAt, CancellationToken cancellationToken)
    {
        long wait = startAt - Now;
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
        using var stop = new CancellationTokenSource();
        var stats = new JobStats(job.WarmupSeconds, job.TimelineSlots);
        long started = Stopwatch.GetTimestamp();
        var run = runner.RunAsync(job, pool, stats, null, keepRecords: true, stop.Token, cancellationToken);
        var ticks = SendTicksAsync(channel, stats, started, run, cancellationToken);
        Task<AgentMessage>? next = channel.ReceiveAsync(cancellationToken);
        try
        {
            while (!run.IsCompleted)
            {
                if (next is null) break; // stopped: the run is ending
                if (await Task.WhenAny(run, next) != next) break;
                var message = await next;
                if (message.Type != "stop") throw new InvalidDataException($"'{message.Type}' during a run");
                await stop.CancelAsync();
                next = null;
            }
        }
        catch
        {
            // The driver is gone (or confused): end the run before its client goes away, then give up the session.
            await stop.CancelAsync();
            await Task.WhenAll(run, ticks).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
        var outcome = await run;
        await ticks;
        var records = outcome.Records ?? [];
        var line = new StringBuilder(96);
        await channel.SendWithLinesAsync(new AgentMessage
        {
            Type = "done", Records = records.Count, Seconds = outcome.Seconds, Usage = outcome.Usage,
        }, records.Select(r =>
        {
            line.Clear();
            r.AppendCsv(line, 0);
            return line.ToString();
        }), cancellationToken);
        return next;
    }

    // A tick per whole second as it completes, until the run ends: the driver's view for --autoterm.
    private static async Task SendTicksAsync(AgentChannel channel, JobStats stats, long started, Task run, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        int sent = 0;
        while (!run.IsCompleted && await timer.WaitForNextTickAsync(cancellationToken))
        {
            int completed = Math.Min((int)Stopwatch.GetElapsedTime(started).TotalSeconds, stats.Total.Timeline.Capacity - 1);
            for (; sent < completed && !run.IsCompleted; sent++)
            {
                var p = stats.Total.Timeline.At(sent);
                await channel.SendAsync(new AgentMessage { Type = "tick", Second = sent, Operations = p.Operations, Bytes = p.Bytes, Errors = p.Errors },
                    cancellationToken);
            }
        }
    }

    private static AgentMessage Error(string message) => new() { Type = "error", Message = message };

    private static string ClientMessage(Exception e) => e is S3Exception s3 ? $"{s3.Code}: {s3.Message}" : e.Message;

    /// <summary>Parses "127.0.0.1:7761", "[::1]:7761" or "host:port" (the name resolved) into an end point.</summary>
    public static bool TryParseAddress(string text, out IPEndPoint? endPoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        endPoint = null;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            return false;
        string host = text[..colon].Trim('[', ']');
        if (!IPAddress.TryParse(host, out var address))
        {
            try
            {
                address = Dns.GetHostAddresses(host).FirstOrDefault();
            }
            catch (SocketException)
            {
                return false;
            }
            if (address is null) return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
