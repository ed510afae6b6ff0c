using Sluice.IoBench;

// Entry: with --engine the scenario runs here; otherwise each engine runs in a child process and a report is printed.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

try
{
    if (options.Engine != null && options.Strace != true)
    {
        // A bound of its own, in case the parent is gone: an in-process run never outlives its limit.
        using var watchdog = new Timer(_ =>
        {
            Console.Error.WriteLine("sluice-iobench: time limit exceeded, exiting");
            Environment.Exit(124);
        }, null, Orchestrator.Limit(options, options.Scenario), Timeout.InfiniteTimeSpan);
        return options.Scenario switch
        {
            "reqresp" => ReqRespBenchmark.Run(options),
            "files" => FilesBenchmark.Run(options),
            "sendfile" => SendFileBenchmark.Run(options),
            _ => StreamBenchmark.Run(options),
        };
    }
    return Orchestrator.Run(options);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or InvalidDataException)
{
    Console.Error.WriteLine($"sluice-iobench: {e}");
    return 1;
}
