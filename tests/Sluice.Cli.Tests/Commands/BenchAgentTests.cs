using System.Text.RegularExpressions;
using Sluice.Cli.Bench;
using Sluice.Cli.Tests.Bench;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// Distributed runs as a user makes them: real `sluice bench agent` processes on loopback ports and a real driver
/// (`sluice bench --agents`) with its embedded server. Durations only bound the runs; every assertion is on the
/// merged records' counts and structure, never on speed.
/// </summary>
public class BenchAgentTests
{
    [Fact]
    public async Task Three_agents_run_each_job_and_the_driver_merges_their_records()
    {
        await using var a = await AgentProcess.StartAsync();
        await using var b = await AgentProcess.StartAsync();
        await using var c = await AgentProcess.StartAsync();
        string dir = Path.Combine(Path.GetTempPath(), "sluice-bench-agents-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string json = Path.Combine(dir, "run.json"), ops = Path.Combine(dir, "run.csv");
            var run = SluiceProcess.Run("bench", "--agents", $"{a.Address},{b.Address},{c.Address}", "-d", "2s", "--warmup", "1s", "-s", "4KiB",
                "--objects", "20", "-c", "2", "-w", "put", "--mix", "get=70,put=20,delete=10", "--quiet", "--json", json, "--save-ops", ops);
            Assert.True(run.ExitCode == 0, run.StdErr);
            Assert.Matches(new Regex(@"^put 4KiB\s+[0-9]", RegexOptions.Multiline), run.StdOut);
            Assert.Matches(new Regex(@"^  delete 1?[0-9]%\s+[0-9]", RegexOptions.Multiline), run.StdOut);

            var report = BenchReport.Load(json);
            Assert.Equal([a.Address, b.Address, c.Address], report.Config.Agents);
            var (_, records) = OpsFile.Load(ops);
            Assert.Equal(2, records.Length);
            for (int job = 0; job < 2; job++)
            {
                var result = report.Results[job];
                var mine = records[job];
                Assert.Equal(3, result.Agents);
                Assert.Equal(2, result.Concurrency);
                // Every agent contributed, each with its own two workers.
                Assert.Equal([0, 1, 2], mine.Select(r => r.Agent).Distinct().Order());
                Assert.All(mine.GroupBy(r => r.Agent), g => Assert.Subset(new HashSet<int> { 0, 1 }, g.Select(r => r.Worker).ToHashSet()));
                // The merged figures are exactly the records measured after the warm-up, on the agents' shared time axis.
                var measured = mine.Where(r => r.StartMicros >= 1_000_000).ToList();
                Assert.Equal(measured.Count, result.Operations);
                Assert.Equal(measured.Where(r => r.Error is null).Sum(r => r.Bytes), result.Bytes);
                Assert.Equal(mine.Count, result.Timeline.Sum(p => p.Operations));
                Assert.Equal(result.Operations, result.Latencies.Sum(l => l.Count));
                Assert.True(result.ClientCpuSeconds > 0 && result.ServerCpuSeconds > 0, "client CPU from the agents, server CPU from the driver's server");
            }
            var mixed = report.Results[1];
            Assert.Equal(["get", "put", "delete"], mixed.ByOperation!.Select(o => o.Operation));
            Assert.Equal(mixed.Operations, mixed.ByOperation!.Sum(o => o.Operations));
            Assert.Equal(
                records[1].Where(r => r.StartMicros >= 1_000_000).GroupBy(r => r.Op.Name()).ToDictionary(g => g.Key, g => (long)g.Count()),
                mixed.ByOperation!.Where(o => o.Operations > 0).ToDictionary(o => o.Operation, o => o.Operations));

            // The agents outlive the driver's session and serve the next one; SIGTERM stops them cleanly.
            var again = SluiceProcess.Run("bench", "--agents", a.Address, "-d", "1s", "--warmup", "0", "-s", "4KiB", "-c", "1", "-w", "put", "--quiet", "--json", json);
            Assert.True(again.ExitCode == 0, again.StdErr);
            Assert.Equal(1, BenchReport.Load(json).Results[0].Agents);
            foreach (var agent in new[] { a, b, c })
            {
                var (code, stderr) = await agent.StopAsync();
                Assert.True(code == 0, stderr);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_agent_that_cannot_be_reached_fails_the_run_with_one_line()
    {
        await using var a = await AgentProcess.StartAsync();
        var (code, _) = await a.StopAsync(); // a port nobody listens on any more
        Assert.Equal(0, code);
        var run = SluiceProcess.Run("bench", "--agents", a.Address, "-d", "1s", "-s", "4KiB", "-w", "put", "--quiet");
        Assert.Equal(Program.ExitFailure, run.ExitCode);
        Assert.Matches($"^sluice: agent {Regex.Escape(a.Address)}: ", run.StdErr.Trim());
        Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
