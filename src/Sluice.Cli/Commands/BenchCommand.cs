using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Sluice.Cli.Bench;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice bench</c>: a warp-like load generator. With no --endpoint it starts the embedded server (a child
/// process on a temporary directory, removed afterwards) and drives it with Sluice's client; the default run covers
/// small- and large-object PUT and GET. Prints a table, optionally writes every figure as JSON, an HTML report and
/// every request (--save-ops, for <c>bench analyze</c>); with --agents the load comes from <c>bench agent</c>
/// processes and their records are merged. <c>sluice bench compare A.json B.json</c> puts two runs side by side.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] WorkloadNames = ["get", "put", "mixed", "list", "delete", "multipart"];

    /// <summary>Where an agent listens when given no address (warp's client port).</summary>
    private const string DefaultAgentAddress = "127.0.0.1:7761";

    public static Command Create()
    {
        var workload = new Option<string[]>("--workload", "-w")
        {
            Description = "get, put, mixed, list, delete or multipart (repeatable; default: put and get, or mixed with --mix)",
            AllowMultipleArgumentsPerToken = true,
        };
        workload.AcceptOnlyFromAmong(WorkloadNames);
        var mix = new Option<string>("--mix") { Description = $"The mixed workload's operations and weights, e.g. get=60,put=25,head=10,delete=5 (default {OpMix.DefaultMixed})" };
        var sizes = new Option<string[]>("--size", "-s")
        {
            Description = "Object size, e.g. 4KiB or 64MiB, or a range 4KiB..16MiB of random sizes (repeatable; default: 4KiB and 32MiB)",
            AllowMultipleArgumentsPerToken = true,
        };
        var objects = new Option<int?>("--objects") { Description = "Objects prepared for get/mixed/list/delete (default 500 small, up to 1 GiB of large)" };
        var concurrency = new Option<int?>("--concurrency", "-c") { Description = "Requests in flight, per agent with --agents (default 32 for small objects, 8 for large)" };
        var duration = new Option<string>("--duration", "-d") { Description = "Time measured per workload and size, e.g. 30s or 2m (default 10s)", DefaultValueFactory = _ => "10s" };
        var warmup = new Option<string>("--warmup") { Description = "Time run before measuring, per workload and size, shown but not counted (default 1s; 0 with --count)" };
        var autoterm = new Option<bool>("--autoterm") { Description = "End each workload early once its throughput is stable (--duration is then the longest)" };
        var autotermWindow = new Option<string>("--autoterm-window") { Description = "Seconds that must agree for --autoterm", DefaultValueFactory = _ => "5s" };
        var autotermPct = new Option<double>("--autoterm-pct") { Description = "How close (± % of their mean) they must be for --autoterm", DefaultValueFactory = _ => 7.5 };
        var count = new Option<long?>("--count", "-n") { Description = "Stop each workload after this many measured operations, per agent with --agents (or at --duration, whichever is first)" };
        var keys = new Option<string>("--keys") { Description = "Key naming: sequential, random, hashed[:N] (N hex characters of MD5 prefix, default 4) or reversed", DefaultValueFactory = _ => "sequential" };
        var bucket = new Option<string>("--bucket") { Description = "Bucket to use (default: a new one, deleted afterwards)" };
        var json = new Option<string>("--json") { Description = "Write every figure and the configuration to this JSON file" };
        var report = new Option<string>("--report") { Description = "Write a self-contained HTML report with charts to this file" };
        var saveOps = new Option<string>("--save-ops") { Description = "Write every request to this file (CSV; gzip if it ends in .gz) for `sluice bench analyze`" };
        var agents = new Option<string>("--agents") { Description = "Run the load on `sluice bench agent` processes at host:port,host:port,... and merge their results" };
        var wide = new Option<bool>("--wide") { Description = "Add the CPU, memory and system-call columns to the table" };
        var command = new Command("bench", "Measure S3 throughput and latency (embedded server unless --endpoint)\n\nExamples:\n" +
            "  sluice bench\n  sluice bench -w get -s 4KiB -c 64 -d 30s --json a.json --report a.html\n" +
            "  sluice bench --mix get=60,put=25,head=10,delete=5 -s 4KiB..16MiB --warmup 5s --autoterm\n" +
            "  sluice bench --endpoint http://127.0.0.1:7480 -w mixed --keys hashed --save-ops run.csv.gz\n" +
            "  sluice bench analyze run.csv.gz --segment 1s\n" +
            "  sluice bench agent 10.0.0.5:7761        (on each client host, then on the driver:)\n" +
            "  sluice bench --endpoint http://10.0.0.9:9000 --agents 10.0.0.5:7761,10.0.0.6:7761\n" +
            "  sluice bench compare a.json b.json")
        {
            workload, mix, sizes, objects, concurrency, duration, warmup, autoterm, autotermWindow, autotermPct, count, keys, bucket,
            json, report, saveOps, agents, wide,
        };
        var shared = ClientCommand.AddTo(command);
        command.Subcommands.Add(CreateCompare());
        command.Subcommands.Add(CreateAnalyze());
        command.Subcommands.Add(CreateAgent());
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            if (!Units.TryParseDuration(parse.GetValue(duration), out var time))
                throw Usage($"--duration: '{parse.GetValue(duration)}' is not a duration such as 30s");
            var sizeList = new List<SizeSpec>();
            foreach (string s in parse.GetValue(sizes) is { Length: > 0 } given ? given : ["4KiB", "32MiB"])
            {
                if (!SizeSpec.TryParse(s, out var spec))
                    throw Usage($"--size: '{s}' is not a size from 1B to 1GiB, or a range such as 4KiB..16MiB");
                sizeList.Add(spec);
            }
            if (!BenchKeys.IsValid(parse.GetValue(keys)!, out string? keysError)) throw Usage(keysError!);
            if (parse.GetValue(count) is < 1) throw Usage("--count must be at least 1");
            if (parse.GetValue(objects) is < 1) throw Usage("--objects must be at least 1");
            if (parse.GetValue(concurrency) is < 1 or > 4096) throw Usage("--concurrency must be 1 to 4096");
            var warm = parse.GetValue(warmup) switch
            {
                null => parse.GetValue(count) is null ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
                "0" => TimeSpan.Zero,
                string w when Units.TryParseDuration(w, out var d) => d,
                string w => throw Usage($"--warmup: '{w}' is not a duration such as 5s (or 0)"),
            };
            if (!Units.TryParseDuration(parse.GetValue(autotermWindow), out var window) || window.TotalSeconds < 2)
                throw Usage($"--autoterm-window: '{parse.GetValue(autotermWindow)}' is not a duration of 2s or more");
            if (parse.GetValue(autotermPct) is not (> 0 and <= 100)) throw Usage("--autoterm-pct must be above 0 and at most 100");
            string mixText = OpMix.DefaultMixed;
            if (parse.GetValue(mix) is { } m)
            {
                if (!OpMix.TryParse(m, out var parsed, out string? error)) throw Usage($"--mix: {error}");
                mixText = parsed!.ToString();
            }
            var workloads = parse.GetValue(workload) is { Length: > 0 } wl ? wl.Distinct().ToList() : parse.GetValue(mix) is null ? ["put", "get"] : [];
            if (parse.GetValue(mix) is not null && !workloads.Contains("mixed")) workloads.Add("mixed");
            var agentAddresses = parse.GetValue(agents) is { } a
                ? a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
            if (parse.GetValue(agents) is not null && agentAddresses.Length == 0) throw Usage("--agents: no host:port given");
            foreach (string address in agentAddresses)
                if (!BenchAgent.TryParseAddress(address, out var ep) || ep!.Port == 0) throw Usage($"--agents: '{address}' is not host:port");
            bool quiet = parse.GetValue(shared.Quiet);
            string? io = parse.GetValue(shared.Io);

            ServerProcess? server = null;
            var options = parse.GetValue(shared.Endpoint) is null && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is null
                && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is null ? null : shared.LoadOptions(parse);
            DistributedRunner? distributed = null;
            try
            {
                if (options is null)
                {
                    string key = "bench" + Guid.NewGuid().ToString("N")[..12], secret = Guid.NewGuid().ToString("N");
                    if (!quiet) await Console.Error.WriteLineAsync("starting the embedded server on a temporary directory");
                    // --http2 measures the same server through its Kestrel front (h2c); HTTP/1.1 runs against the io_uring one.
                    bool http2 = shared.ProtocolFlag(parse) == HttpProtocol.Http2;
                    server = await ServerProcess.StartAsync(key, secret, io, http2, ct);
                    options = new S3ClientOptions
                    {
                        Endpoint = http2 ? server.Http2Endpoint! : server.Endpoint, AccessKeyId = key, SecretAccessKey = secret,
                        Protocol = http2 ? HttpProtocol.Http2 : HttpProtocol.Http11,
                    };
                }
                if (io is "uring" or "managed") Environment.SetEnvironmentVariable("SLUICE_IO", io);
                // The bench's keys are root/job/key (hashed: root/job/hash/obj-N): three segments make each hash prefix
                // its own rate after throttling, as S3 would give each its own partition.
                options = options with
                {
                    Retry = options.Retry with { PrefixRate = options.Retry.PrefixRate with { Depth = 3 } },
                    PayloadSigning = shared.PayloadSigningFlag(parse) ?? options.PayloadSigning, // the embedded server's options too
                };
                await using var client = new S3Client(options);
                string bucketName = parse.GetValue(bucket) ?? "sluice-bench-" + Guid.NewGuid().ToString("N")[..10];
                bool created = parse.GetValue(bucket) is null;
                if (created) await client.CreateBucketAsync(bucketName, null, ct);
                var settings = new BenchSettings
                {
                    Workloads = workloads, Sizes = sizeList, Objects = parse.GetValue(objects), Concurrency = parse.GetValue(concurrency),
                    Duration = time, Warmup = warm, Count = parse.GetValue(count), Keys = parse.GetValue(keys)!, Bucket = bucketName,
                    Mix = mixText, Quiet = quiet,
                };
                string root = $"sluice-bench-{Guid.NewGuid().ToString("N")[..8]}/";
                var jobs = settings.Jobs(root);
                var results = new List<WorkloadResult>();
                var records = new List<IReadOnlyList<OpRecord>>();
                var runner = new BenchRunner(client, server, quiet);
                var startedAt = DateTimeOffset.UtcNow;
                try
                {
                    if (agentAddresses.Length > 0)
                    {
                        // Agents get the credentials in force now (a provider's current ones: agents run for minutes,
                        // shorter than any temporary credentials' life).
                        var current = options.CredentialsProvider is { } provider
                            ? await provider.GetCredentialsAsync(ct)
                            : new Sluice.Client.Credentials.AwsCredentials(options.AccessKeyId!, options.SecretAccessKey!, options.SessionToken);
                        var target = new AgentTarget
                        {
                            Endpoint = options.Endpoint.ToString(), AccessKeyId = current.AccessKeyId, SecretAccessKey = current.SecretAccessKey,
                            SessionToken = current.SessionToken, Region = options.Region, ForcePathStyle = options.ForcePathStyle,
                            InsecureSkipTlsVerify = options.InsecureSkipTlsVerify, Io = io,
                        };
                        var connections = new List<AgentConnection>();
                        try
                        {
                            for (int i = 0; i < agentAddresses.Length; i++)
                                connections.Add(await AgentConnection.ConnectAsync(agentAddresses[i], i, target, ct));
                        }
                        catch
                        {
                            foreach (var c in connections) c.Dispose();
                            throw;
                        }
                        distributed = new DistributedRunner(connections, quiet);
                    }
                    foreach (var job in jobs)
                    {
                        var size = job.ParseSize();
                        var auto = parse.GetValue(autoterm)
                            ? new AutoTerminator(job.WarmupSeconds, (int)window.TotalSeconds, parse.GetValue(autotermPct), size.Mean >= BenchSettings.LargeObject)
                            : null;
                        JobStats stats;
                        JobRun run;
                        if (distributed != null)
                        {
                            (stats, run) = await distributed.RunAsync(job, auto, server, ct);
                        }
                        else
                        {
                            var pool = await runner.PrepareAsync(job, ct);
                            stats = new JobStats(job.WarmupSeconds, job.TimelineSlots);
                            run = await runner.RunAsync(job, pool, stats, auto, parse.GetValue(saveOps) != null, CancellationToken.None, ct);
                            await runner.CleanupJobAsync(job, ct);
                        }
                        results.Add(stats.ToResult(JobStats.Describe(job, agentAddresses.Length), job.ParseMix().Kinds, run.Seconds, run.Usage,
                            run.AutoTerminated));
                        records.Add(run.Records ?? []);
                    }
                }
                finally
                {
                    if (distributed != null) await distributed.CloseAsync();
                    await runner.CleanupAsync(bucketName, root, CancellationToken.None);
                    if (created)
                    {
                        try
                        {
                            await client.DeleteBucketAsync(bucketName, CancellationToken.None);
                        }
                        catch (S3Exception e) when (!quiet)
                        {
                            await Console.Error.WriteLineAsync($"sluice: bench bucket {bucketName} left behind: {e.Code}");
                        }
                    }
                }

                var benchReport = new BenchReport
                {
                    Version = BenchAgent.Version,
                    StartedAt = startedAt,
                    Config = new BenchConfig
                    {
                        Endpoint = options.Endpoint.ToString(), EmbeddedServer = server != null, Workloads = workloads,
                        Sizes = [.. sizeList.Select(s => s.Max)], SizeSpecs = [.. sizeList.Select(s => s.Label)],
                        Mix = workloads.Contains("mixed") ? mixText : null, Objects = settings.Objects ?? 0, Concurrency = settings.Concurrency ?? 0,
                        DurationSeconds = time.TotalSeconds, WarmupSeconds = warm.TotalSeconds, AutoTerm = parse.GetValue(autoterm),
                        Count = settings.Count, Keys = settings.Keys, Io = client.Engine.Name, Agents = agentAddresses,
                        Machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}",
                    },
                    Results = results,
                };
                await PrintAsync(results, parse.GetValue(wide), quiet);
                if (parse.GetValue(json) is { } jsonPath) benchReport.Save(jsonPath);
                if (parse.GetValue(report) is { } htmlPath) HtmlReport.Save(benchReport, htmlPath);
                if (parse.GetValue(saveOps) is { } opsPath) OpsFile.Save(opsPath, benchReport, records);
                return results.Any(r => r.Operations > 0 && r.Errors.Count == 0) ? Program.ExitOk : Program.ExitFailure;
            }
            finally
            {
                if (server != null) await server.DisposeAsync();
            }
        }));
        return command;
    }

    private static CliException Usage(string message) => new("bench: " + message, Program.ExitUsage);

    /// <summary>The table, then (unless quiet) notes on how runs ended and the legend.</summary>
    private static async Task PrintAsync(IReadOnlyList<WorkloadResult> results, bool wide, bool quiet)
    {
        await Console.Out.WriteAsync(SummaryTable.Render(results, wide));
        if (quiet) return;
        await Console.Out.WriteAsync(SummaryTable.Notes(results));
        if (!wide) await Console.Out.WriteAsync("\n" + SummaryTable.Legend);
    }

    private static Command CreateCompare()
    {
        var a = new Argument<string>("a") { Description = "The baseline run (--json file)" };
        var b = new Argument<string>("b") { Description = "The run to compare with it" };
        var command = new Command("compare", "Show two bench runs side by side with B/A ratios\n\nExample:\n  sluice bench compare uring.json managed.json") { a, b };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                string pa = parse.GetValue(a)!, pb = parse.GetValue(b)!;
                await Console.Out.WriteAsync(BenchComparison.Render(BenchReport.Load(pa), BenchReport.Load(pb), pa, pb));
                return Program.ExitOk;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync("sluice: bench compare: " + e.Message);
                return Program.ExitFailure;
            }
        });
        return command;
    }

    private static Command CreateAnalyze()
    {
        var file = new Argument<string>("file") { Description = "A file written by --save-ops" };
        var segment = new Option<string>("--segment") { Description = "Segment length for the throughput spread (default 1s)", DefaultValueFactory = _ => "1s" };
        var json = new Option<string>("--json") { Description = "Write the recomputed figures to this JSON file" };
        var report = new Option<string>("--report") { Description = "Write the HTML report of the saved run to this file" };
        var wide = new Option<bool>("--wide") { Description = "Add the CPU, memory and system-call columns" };
        var command = new Command("analyze", "Compute a saved run's figures again from its requests (--save-ops), with its throughput in segments\n\n" +
            "Examples:\n  sluice bench analyze run.csv.gz\n  sluice bench analyze run.csv --segment 5s --report run.html")
        {
            file, segment, json, report, wide,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!Units.TryParseDuration(parse.GetValue(segment), out var length))
            {
                await Console.Error.WriteLineAsync($"sluice: bench analyze: --segment: '{parse.GetValue(segment)}' is not a duration such as 1s");
                return Program.ExitUsage;
            }
            try
            {
                var (saved, records) = OpsFile.Load(parse.GetValue(file)!);
                var (recomputed, segments) = BenchAnalyzer.Analyze(saved, records, length);
                var c = recomputed.Config;
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"run of {recomputed.StartedAt:u}: {records.Sum(r => r.Count)} requests, {(c.EmbeddedServer ? "embedded server" : c.Endpoint)}" +
                    $"{(c.Agents is { Count: > 0 } ag ? $", {ag.Count} agents" : "")}, warm-up {c.WarmupSeconds:0.###} s"));
                await Console.Out.WriteAsync(SummaryTable.Render(recomputed.Results, parse.GetValue(wide)));
                await Console.Out.WriteAsync("\n" + BenchAnalyzer.RenderSegments(segments, length));
                if (parse.GetValue(json) is { } jsonPath) recomputed.Save(jsonPath);
                if (parse.GetValue(report) is { } htmlPath) HtmlReport.Save(recomputed, htmlPath);
                return Program.ExitOk;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync("sluice: bench analyze: " + e.Message);
                return Program.ExitFailure;
            }
        });
        return command;
    }

    private static Command CreateAgent()
    {
        var address = new Argument<string>("address")
        {
            Description = $"Address and port to listen on (default {DefaultAgentAddress}; port 0 picks a free one)",
            DefaultValueFactory = _ => DefaultAgentAddress,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors" };
        var command = new Command("agent", "Generate load for a driver (`sluice bench --agents`) on this host, until stopped\n\n" +
            "The driver sends each workload, the endpoint and its credentials: listen only where the driver alone can reach.\n\n" +
            "Examples:\n  sluice bench agent\n  sluice bench agent 10.0.0.5:7761") { address, quiet };
        command.SetAction(async (parse, ct) =>
        {
            if (!BenchAgent.TryParseAddress(parse.GetValue(address)!, out var endPoint))
            {
                await Console.Error.WriteLineAsync($"sluice: bench agent: '{parse.GetValue(address)}' is not address:port");
                return Program.ExitUsage;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true; // end the listener and return normally
                stop.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            try
            {
                await BenchAgent.RunAsync(endPoint!, parse.GetValue(quiet), stop.Token);
                return Program.ExitOk;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await Console.Error.WriteLineAsync($"sluice: bench agent: cannot listen on {endPoint}: {e.Message}");
                return Program.ExitFailure;
            }
        });
        return command;
    }
}
