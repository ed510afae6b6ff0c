using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Sluice.Cli.Bench;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice bench</c>: a warp-like load generator. With no --endpoint it starts the embedded server (a child
/// process on a temporary directory, removed afterwards) and drives it with Sluice's client; the default run covers
/// small- and large-object PUT and GET. Prints a table, optionally writes every figure as JSON and an HTML report.
/// <c>sluice bench compare A.json B.json</c> puts two runs side by side.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] WorkloadNames = ["get", "put", "mixed", "list", "delete", "multipart"];

    public static Command Create()
    {
        var workload = new Option<string[]>("--workload", "-w")
        {
            Description = "get, put, mixed, list, delete or multipart (repeatable; default: put and get)",
            AllowMultipleArgumentsPerToken = true,
        };
        workload.AcceptOnlyFromAmong(WorkloadNames);
        var sizes = new Option<string[]>("--size", "-s") { Description = "Object size, e.g. 4KiB or 64MiB (repeatable; default: 4KiB and 32MiB)", AllowMultipleArgumentsPerToken = true };
        var objects = new Option<int?>("--objects") { Description = "Objects prepared for get/mixed/list/delete (default 500 small, up to 1 GiB of large)" };
        var concurrency = new Option<int?>("--concurrency", "-c") { Description = "Requests in flight (default 32 for small objects, 8 for large)" };
        var duration = new Option<string>("--duration", "-d") { Description = "Time per workload and size, e.g. 30s or 2m (default 10s)", DefaultValueFactory = _ => "10s" };
        var count = new Option<long?>("--count", "-n") { Description = "Stop each workload after this many operations (or at --duration, whichever is first)" };
        var keys = new Option<string>("--keys") { Description = "Key naming: sequential, random, hashed or reversed", DefaultValueFactory = _ => "sequential" };
        keys.AcceptOnlyFromAmong([.. BenchKeys.Schemes]);
        var bucket = new Option<string>("--bucket") { Description = "Bucket to use (default: a new one, deleted afterwards)" };
        var json = new Option<string>("--json") { Description = "Write every figure and the configuration to this JSON file" };
        var report = new Option<string>("--report") { Description = "Write a self-contained HTML report with charts to this file" };
        var command = new Command("bench", "Measure S3 throughput and latency (embedded server unless --endpoint)\n\nExamples:\n" +
            "  sluice bench\n  sluice bench -w get -s 4KiB -c 64 -d 30s --json a.json --report a.html\n" +
            "  sluice bench --endpoint http://127.0.0.1:7480 -w mixed --keys hashed\n  sluice bench compare a.json b.json")
        {
            workload, sizes, objects, concurrency, duration, count, keys, bucket, json, report,
        };
        var shared = ClientCommand.AddTo(command);
        command.Subcommands.Add(CreateCompare());
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            if (!Units.TryParseDuration(parse.GetValue(duration), out var time))
                throw new CliException($"bench: --duration: '{parse.GetValue(duration)}' is not a duration such as 30s", Program.ExitUsage);
            var sizeList = new List<long>();
            foreach (string s in parse.GetValue(sizes) is { Length: > 0 } given ? given : ["4KiB", "32MiB"])
            {
                if (!Units.TryParseSize(s, out long n) || n <= 0 || n > 1L << 30)
                    throw new CliException($"bench: --size: '{s}' is not a size from 1B to 1GiB", Program.ExitUsage);
                sizeList.Add(n);
            }
            if (parse.GetValue(count) is < 1) throw new CliException("bench: --count must be at least 1", Program.ExitUsage);
            if (parse.GetValue(objects) is < 1) throw new CliException("bench: --objects must be at least 1", Program.ExitUsage);
            if (parse.GetValue(concurrency) is < 1 or > 4096) throw new CliException("bench: --concurrency must be 1 to 4096", Program.ExitUsage);
            var workloads = parse.GetValue(workload) is { Length: > 0 } w ? w.Distinct().ToArray() : ["put", "get"];
            bool quiet = parse.GetValue(shared.Quiet);
            string? io = parse.GetValue(shared.Io);

            ServerProcess? server = null;
            var options = parse.GetValue(shared.Endpoint) is null && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is null
                && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is null ? null : shared.LoadOptions(parse);
            try
            {
                if (options is null)
                {
                    string key = "bench" + Guid.NewGuid().ToString("N")[..12], secret = Guid.NewGuid().ToString("N");
                    if (!quiet) await Console.Error.WriteLineAsync("starting the embedded server on a temporary directory");
                    server = await ServerProcess.StartAsync(key, secret, io, ct);
                    options = new S3ClientOptions { Endpoint = server.Endpoint, AccessKeyId = key, SecretAccessKey = secret };
                }
                if (io is "uring" or "managed") Environment.SetEnvironmentVariable("SLUICE_IO", io);
                await using var client = new S3Client(options);
                string bucketName = parse.GetValue(bucket) ?? "sluice-bench-" + Guid.NewGuid().ToString("N")[..10];
                bool created = parse.GetValue(bucket) is null;
                if (created) await client.CreateBucketAsync(bucketName, null, ct);
                var settings = new BenchSettings
                {
                    Workloads = workloads, Sizes = sizeList, Objects = parse.GetValue(objects), Concurrency = parse.GetValue(concurrency),
                    Duration = time, Count = parse.GetValue(count), Keys = parse.GetValue(keys)!, Bucket = bucketName, Quiet = quiet,
                };
                var results = new List<WorkloadResult>();
                var runner = new BenchRunner(client, settings, server);
                var startedAt = DateTimeOffset.UtcNow;
                try
                {
                    foreach (long size in sizeList)
                        foreach (string wl in workloads)
                            results.Add(await runner.RunAsync(wl, size, ct));
                }
                finally
                {
                    await runner.CleanupAsync(CancellationToken.None);
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
                    Version = typeof(BenchCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                    StartedAt = startedAt,
                    Config = new BenchConfig
                    {
                        Endpoint = options.Endpoint.ToString(), EmbeddedServer = server != null, Workloads = workloads, Sizes = sizeList,
                        Objects = settings.Objects ?? 0, Concurrency = settings.Concurrency ?? 0, DurationSeconds = time.TotalSeconds, Count = settings.Count,
                        Keys = settings.Keys, Io = client.Engine.Name,
                        Machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}",
                    },
                    Results = results,
                };
                var table = new TextTable(HtmlReport.SummaryColumns);
                foreach (var r in results) table.Add(HtmlReport.SummaryCells(r));
                await Console.Out.WriteAsync(table.ToString());
                if (parse.GetValue(json) is { } jsonPath) benchReport.Save(jsonPath);
                if (parse.GetValue(report) is { } htmlPath) HtmlReport.Save(benchReport, htmlPath);
                return results.Any(r => r.Operations > 0 && r.Errors.Count == 0) ? Program.ExitOk : Program.ExitFailure;
            }
            finally
            {
                if (server != null) await server.DisposeAsync();
            }
        }));
        return command;
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
}
