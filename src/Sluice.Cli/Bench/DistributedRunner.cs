using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>
/// The driver of a distributed run (`sluice bench --agents a:p,b:p`): each job is prepared by every agent under its
/// own prefix, started by all at one moment (a second ahead, given on each agent's clock), watched through the
/// agents' per-second ticks (the merged throughput decides --autoterm, and a stop goes to every agent), and
/// measured from every agent's request records merged into one <see cref="JobStats"/>: figures as if one client had
/// run all agents' concurrency. An agent that fails fails the run: a merged figure missing an agent would be wrong.
/// </summary>
internal sealed class DistributedRunner(IReadOnlyList<AgentConnection> agents, bool quiet)
{
    /// <summary>How far ahead of now the start is set: time for the start messages to reach every agent.</summary>
    private static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="job"/> on every agent; the merged figures and run, every agent's records in it.</summary>
    public async Task<(JobStats Stats, JobRun Run)> RunAsync(BenchJob job, AutoTerminator? autoTerminator, ServerProcess? server,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.NeedsObjects) Say($"{job.Name}: preparing {job.Objects} objects on each of {agents.Count} agents");
        await Task.WhenAll(agents.Select(async a =>
        {
            await a.Channel.SendAsync(new AgentMessage { Type = "prepare", Job = job with { Prefix = $"{job.Prefix}agent-{a.Index}/" } }, cancellationToken);
            var reply = await a.ReceiveAsync(cancellationToken);
            if (reply.Type != "ready") throw new IOException($"agent {a.Address}: answered '{reply.Type}' to prepare");
        }));

        int slots = job.TimelineSlots;
        var ops = new long[slots];
        var bytes = new long[slots];
        var errors = new long[slots];
        var reported = new int[agents.Count]; // seconds each agent has reported
        var sync = new Lock();
        int stopping = 0;
        TimeSpan serverCpu0 = server?.CpuTime ?? TimeSpan.Zero;
        long startAt = BenchAgent.Now + (long)StartDelay.TotalMilliseconds;
        Say($"{job.Name}: running on {agents.Count} agents");
        await Task.WhenAll(agents.Select(a => a.Channel.SendAsync(new AgentMessage { Type = "start", StartAt = startAt + a.ClockOffset }, cancellationToken)));

        async Task StopAllAsync()
        {
            foreach (var a in agents) await a.Channel.SendAsync(new AgentMessage { Type = "stop" }, cancellationToken);
        }

        async Task<(List<OpRecord> Records, double Seconds, ResourceUsage Usage)> CollectAsync(int n)
        {
            var agent = agents[n];
            while (true)
            {
                var message = await agent.ReceiveAsync(cancellationToken);
                if (message.Type == "tick" && message.Second is { } second && second >= 0 && second < slots)
                {
                    bool stop = false;
                    lock (sync)
                    {
                        ops[second] += message.Operations ?? 0;
                        bytes[second] += message.Bytes ?? 0;
                        errors[second] += message.Errors ?? 0;
                        reported[n] = Math.Max(reported[n], second + 1);
                        stop = autoTerminator != null && stopping == 0
                            && autoTerminator.IsStable(reported.Min(), i => new TimelinePoint(i + 1, ops[i], bytes[i], errors[i]));
                        if (stop) stopping = 1;
                    }
                    if (stop)
                    {
                        Say($"{job.Name}: throughput is stable, stopping the agents");
                        await StopAllAsync();
                    }
                    continue;
                }
                if (message.Type != "done" || message.Records is not { } count || message.Usage is not { } usage)
                    throw new IOException($"agent {agent.Address}: unexpected '{message.Type}' during a run");
                var records = new List<OpRecord>((int)Math.Min(count, 1 << 24));
                for (long i = 0; i < count; i++)
                {
                    string line = await agent.Channel.ReadLineAsync(cancellationToken);
                    if (!OpRecord.TryParseCsv(line, out _, out var record))
                        throw new IOException($"agent {agent.Address}: record {(i + 1).ToString(CultureInfo.InvariantCulture)} is damaged");
                    // The agent's index is the driver's to give: a record says which agent made it whatever the agent wrote.
                    records.Add(record with { Agent = agent.Index });
                }
                return (records, message.Seconds ?? 0, usage);
            }
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, agents.Count).Select(CollectAsync));
        var all = outcomes.SelectMany(o => o.Records).OrderBy(r => r.StartMicros).ToList();
        long lastEnd = all.Count == 0 ? 0 : all.Max(r => r.EndMicros);
        var stats = new JobStats(job.WarmupSeconds, Math.Max(slots, (int)(lastEnd / 1_000_000) + 2));
        foreach (var r in all) stats.Add(r);
        var usage = outcomes.Select(o => o.Usage).Aggregate((a, b) => a.Plus(b)) with
        {
            ServerCpuSeconds = server is null ? null : (server.CpuTime - serverCpu0).TotalSeconds,
            ServerPeakRssBytes = server?.PeakRss,
        };
        return (stats, new JobRun(outcomes.Max(o => o.Seconds), stopping != 0, usage, all));
    }

    /// <summary>Ends every agent's session (they wait for the next driver).</summary>
    public async Task CloseAsync()
    {
        foreach (var a in agents)
        {
            try
            {
                await a.Channel.SendAsync(new AgentMessage { Type = "bye" }, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // Already gone: nothing to end.
            }
            a.Dispose();
        }
    }

    private void Say(string line)
    {
        if (!quiet) Console.Error.WriteLine(line);
    }
}
