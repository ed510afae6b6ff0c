namespace Sluice.ServerBench;

/// <summary>One timed run against one server: work done, wall time and both sides' CPU.</summary>
internal sealed record Measurement(long Bytes, long Requests, long Errors, double Seconds, double ServerCpu, double ClientCpu)
{
    public double GiBPerSecond => Bytes / Seconds / (1L << 30);
    public double RequestsPerSecond => Requests / Seconds;
    public double ServerCpuPerGiB => ServerCpu / (Bytes / (double)(1L << 30));
    public double ServerCpuMsPerRequest => ServerCpu * 1000 / Requests;
    public double ClientCpuMsPerRequest => ClientCpu * 1000 / Requests;
    public double ClientCpuPerGiB => ClientCpu / (Bytes / (double)(1L << 30));

    /// <summary>Runs <paramref name="work"/> between CPU samples of the server and of this process.</summary>
    public static Measurement Take(ServerProcess? server, Func<(long Bytes, long Requests, long Errors)> work)
    {
        double server0 = server?.CpuSeconds() ?? 0, client0 = Sluice.ServerBench.ClientCpu.Seconds();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (bytes, requests, errors) = work();
        double seconds = clock.Elapsed.TotalSeconds;
        double server1 = server?.CpuSeconds() ?? 0, client1 = Sluice.ServerBench.ClientCpu.Seconds();
        return new Measurement(bytes, requests, errors, seconds, server1 - server0, client1 - client0);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
