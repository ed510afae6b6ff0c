namespace Sluice.ServerBench;

/// <summary>
/// GET of the large object with curl (-o /dev/null), one stream and N in parallel, from each sluice engine
/// (presigned URL) and from nginx (the same bytes as a file, sendfile on). The object is read once first so every
/// server serves it from the page cache.
/// </summary>
internal static class LargeGetBenchmark
{
    public const string Section = "large-get";

    public static void Run(Session session, Results results)
    {
        var o = session.Options;
        var targets = new List<(string Name, ServerProcess Server, string Url)>();
        foreach (var (engine, server) in session.Sluice)
            targets.Add((server.Name, server, new S3Requests(server.Port, sign: true).Url($"/{Session.Bucket}/{Session.LargeName}")));
        targets.Add(("nginx", session.Nginx!, new S3Requests(session.Nginx!.Port, sign: false).Url($"/{Session.LargeName}")));
        foreach (var t in targets) Curl(t.Url, 1, o.LargeBytes);
        int[] streams = o.Streams == 1 ? [1] : [1, o.Streams];
        for (int run = 0; run < o.Runs; run++)
        {
            foreach (int n in streams)
            {
                foreach (var t in targets)
                {
                    var m = Measurement.Take(t.Server, () => Curl(t.Url, n, o.LargeBytes));
                    results.Add(Section, n == 1 ? "GET 1 stream" : $"GET {n} streams", t.Name, m);
                }
            }
        }
    }

    /// <summary>Runs n curls at once, each fetching the whole object; each must get 200 and every byte.</summary>
    internal static (long Bytes, long Requests, long Errors) Curl(string url, int n, long size, string? option = null)
    {
        var timeout = TimeSpan.FromSeconds(120);
        var runs = Enumerable.Range(0, n).Select(_ => Task.Run(() =>
        {
            string[] args = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url];
            int code = Session.RunProcess("curl", option == null ? args : [option, .. args], out string output, timeout);
            return code == 0 && output.Trim() == $"200 {size}";
        })).ToArray();
        Task.WaitAll(runs);
        long ok = runs.Count(r => r.Result);
        return (ok * size, n, n - ok);
    }
}
