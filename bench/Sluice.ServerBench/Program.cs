using Sluice.ServerBench;

// Server benchmarks: sluice serve (each engine) against nginx and fio, as separate processes on 127.0.0.1.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

// Servers are child processes: stop them on every way out (normal end, exception, Ctrl-C, SIGTERM).
AppDomain.CurrentDomain.ProcessExit += (_, _) => ServerProcess.StopAll();
Console.CancelKeyPress += (_, _) => ServerProcess.StopAll();

var results = new Results();
string loadBefore = Session.LoadAverage();
try
{
    using var session = new Session(options);
    Console.Error.WriteLine($"sluice-serverbench: {options.Part} in {session.Directory} (load {loadBefore})");
    session.Start(large: options.Needs("large-get"), small: options.Needs("small"), kestrel: options.ShouldRun("kestrel"));
    if (options.ShouldRun("large-get")) LargeGetBenchmark.Run(session, results);
    if (options.ShouldRun("small")) SmallObjectBenchmark.Run(session, results);
    if (options.ShouldRun("large-put")) LargePutBenchmark.Run(session, results);
    if (options.ShouldRun("kestrel")) KestrelBenchmark.Run(session, results);

    Console.WriteLine($"Load average before: {loadBefore}, after: {Session.LoadAverage()}; {Environment.ProcessorCount} cores.");
    Console.WriteLine();
    if (results.Any(LargeGetBenchmark.Section))
    {
        Console.WriteLine($"### GET of a {options.LargeBytes >> 20} MiB object (curl -o /dev/null), medians of {options.Runs}");
        Console.WriteLine();
        Console.WriteLine(results.ThroughputTable(LargeGetBenchmark.Section, "nginx", "nginx"));
    }
    if (results.Any(SmallObjectBenchmark.Section))
    {
        Console.WriteLine($"### Small objects, {options.Connections} connections, {options.Duration.TotalSeconds} s each, medians of {options.Runs}");
        Console.WriteLine();
        Console.WriteLine(results.RequestTable(SmallObjectBenchmark.Section));
    }
    if (results.Any(LargePutBenchmark.Section))
    {
        Console.WriteLine($"### PUT of a {options.LargeBytes >> 20} MiB object, medians of {options.Runs} (fio: {LargePutBenchmark.FioCommand(options)})");
        Console.WriteLine();
        Console.WriteLine(results.ThroughputTable(LargePutBenchmark.Section, "fio", "fio"));
    }
    if (results.Any(KestrelBenchmark.LargeSection))
    {
        Console.WriteLine($"### Kestrel vs io_uring front, one sluice ({session.Sluice.Keys.First()} store): GET of a {options.LargeBytes >> 20} MiB object (curl -o /dev/null), medians of {options.Runs}");
        Console.WriteLine();
        Console.WriteLine(results.ThroughputTable(KestrelBenchmark.LargeSection, KestrelBenchmark.Baseline, "io_uring"));
        Console.WriteLine($"### Kestrel vs io_uring front: small objects, {options.Connections} connections, {options.Duration.TotalSeconds} s each, medians of {options.Runs}");
        Console.WriteLine();
        Console.WriteLine(results.RequestTable(KestrelBenchmark.SmallSection));
    }
    Console.WriteLine("| Server | peak RSS (VmHWM, MiB; nginx: master + workers) |");
    Console.WriteLine("|---|---:|");
    foreach (var server in session.Nginx is { } nginx ? session.Sluice.Values.Append(nginx) : session.Sluice.Values)
        Console.WriteLine(Results.Invariant($"| {server.Name} | {server.PeakRssBytes() / (double)(1 << 20):F0} |"));
    return 0;
}
catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException
    or AggregateException or System.Text.Json.JsonException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"sluice-serverbench: {e}");
    return 1;
}
finally
{
    ServerProcess.StopAll();
}
