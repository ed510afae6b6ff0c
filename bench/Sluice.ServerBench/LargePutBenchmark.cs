using System.Text;

namespace Sluice.ServerBench;

/// <summary>
/// PUT of the large object to each sluice engine, as one request (Content-Length, UNSIGNED-PAYLOAD) and as a
/// multipart upload (parts in parallel, then Complete), timed until the acknowledgement (after the server's
/// fsyncs); against fio's sequential buffered write of the same size on the same disk with fsync at the end.
/// </summary>
internal static class LargePutBenchmark
{
    public const string Section = "large-put";

    /// <summary>Client send slice; the body is a random pattern of this size repeated.</summary>
    private const int SliceBytes = 16 << 20;

    public static void Run(Session session, Results results)
    {
        var o = session.Options;
        byte[] pattern = new byte[SliceBytes];
        Random.Shared.NextBytes(pattern);
        for (int run = 0; run < o.Runs; run++)
        {
            foreach (var server in session.Sluice.Values)
                results.Add(Section, "PUT single", server.Name, Measurement.Take(server, () => Single(server, o.LargeBytes, pattern)));
            foreach (var server in session.Sluice.Values)
                results.Add(Section, $"PUT multipart ({o.PartBytes >> 20} MiB × {o.PartParallel})", server.Name,
                    Measurement.Take(server, () => Multipart(server, o.LargeBytes, o.PartBytes, o.PartParallel, pattern)));
            var fio = Fio(session);
            results.Add(Section, "PUT single", "fio", fio);
            results.Add(Section, $"PUT multipart ({o.PartBytes >> 20} MiB × {o.PartParallel})", "fio", fio);
        }
    }

    private static (long, long, long) Single(ServerProcess server, long size, byte[] pattern)
    {
        var requests = new S3Requests(server.Port, sign: true);
        using var connection = HttpConnection.ConnectAsync(server.EndPoint).GetAwaiter().GetResult();
        int status = PutBody(connection, requests.Build("PUT", $"/{Session.Bucket}/put-large", contentLength: size), size, pattern);
        return (size, 1, status == 200 ? 0 : 1);
    }

    private static int PutBody(HttpConnection connection, byte[] head, long size, byte[] pattern)
    {
        connection.SendAsync(head).AsTask().GetAwaiter().GetResult();
        for (long left = size; left > 0; left -= pattern.Length)
            connection.SendAsync(pattern.AsMemory(0, (int)Math.Min(left, pattern.Length))).AsTask().GetAwaiter().GetResult();
        return connection.ReadResponseAsync(keepHead: true).AsTask().GetAwaiter().GetResult().Status;
    }

    private static (long, long, long) Multipart(ServerProcess server, long size, int partSize, int parallel, byte[] pattern)
    {
        var requests = new S3Requests(server.Port, sign: true);
        string path = $"/{Session.Bucket}/put-large-multipart";
        using var control = HttpConnection.ConnectAsync(server.EndPoint).GetAwaiter().GetResult();
        var response = new MemoryStream();
        control.SendAsync(requests.Build("POST", path, "uploads=", contentLength: 0)).AsTask().GetAwaiter().GetResult();
        control.ReadResponseAsync(keepHead: true, response).AsTask().GetAwaiter().GetResult();
        string xml = Encoding.UTF8.GetString(response.ToArray());
        int start = xml.IndexOf("<UploadId>", StringComparison.Ordinal), end = xml.IndexOf("</UploadId>", StringComparison.Ordinal);
        if (start < 0 || end < 0) throw new InvalidOperationException($"CreateMultipartUpload answered {xml}");
        string uploadId = xml[(start + "<UploadId>".Length)..end];

        int parts = (int)((size + partSize - 1) / partSize);
        var etags = new string[parts];
        int next = 0, failed = 0;
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            using var connection = await HttpConnection.ConnectAsync(server.EndPoint);
            int part;
            while ((part = Interlocked.Increment(ref next)) <= parts)
            {
                long length = Math.Min(partSize, size - (long)(part - 1) * partSize);
                await connection.SendAsync(requests.Build("PUT", path, $"partNumber={part}&uploadId={uploadId}", contentLength: length));
                for (long left = length; left > 0; left -= pattern.Length)
                    await connection.SendAsync(pattern.AsMemory(0, (int)Math.Min(left, pattern.Length)));
                var (status, _) = await connection.ReadResponseAsync(keepHead: true);
                if (status != 200) Interlocked.Increment(ref failed);
                etags[part - 1] = connection.Header("ETag") ?? "";
            }
        })).ToArray();
        Task.WaitAll(workers);

        var complete = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < parts; i++)
            complete.Append(Results.Invariant($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{etags[i]}</ETag></Part>"));
        complete.Append("</CompleteMultipartUpload>");
        byte[] body = Encoding.UTF8.GetBytes(complete.ToString());
        response.SetLength(0);
        control.SendAsync(requests.Build("POST", path, $"uploadId={uploadId}", contentLength: body.Length, body: body)).AsTask().GetAwaiter().GetResult();
        var (done, _) = control.ReadResponseAsync(keepHead: true, response).AsTask().GetAwaiter().GetResult();
        bool ok = done == 200 && failed == 0 && !Encoding.UTF8.GetString(response.ToArray()).Contains("<Error>", StringComparison.Ordinal);
        return (size, parts + 2, ok ? 0 : 1);
    }

    /// <summary>
    /// fio's sequential write of the same size in the same directory; its CPU is the "server" CPU. fio's own write
    /// runtime leaves out the final fsync, so the time is the process's wall time minus that of a 1 MiB run of the
    /// same command (fio's start-up and exit): the fastest of three, since a loaded machine can stretch one start
    /// by seconds and a single sample would then inflate fio's throughput.
    /// </summary>
    private static Measurement Fio(Session session)
    {
        double overhead = Enumerable.Range(0, 3).Min(_ => FioOnce(session, 1).Seconds);
        var (seconds, cpu) = FioOnce(session, session.Options.LargeBytes >> 20);
        Console.Error.WriteLine(Results.Invariant($"  fio: {seconds:F2} s wall, minus {overhead:F2} s for a 1 MiB run"));
        return new Measurement(session.Options.LargeBytes, 1, 0, seconds - overhead, cpu, 0);
    }

    private static (double Seconds, double Cpu) FioOnce(Session session, long mib)
    {
        string file = Path.Combine(session.Directory, "fio-write.bin");
        string[] args =
        [
            "--name=w", "--rw=write", "--bs=1M", $"--size={mib}M", "--ioengine=io_uring",
            "--fsync_on_close=1", "--end_fsync=1", $"--filename={file}", "--output-format=json",
        ];
        double cpu0 = ClientCpu.Seconds();
        var wall = System.Diagnostics.Stopwatch.StartNew();
        int code = Session.RunProcess("fio", args, out string output, TimeSpan.FromSeconds(300));
        double seconds = wall.Elapsed.TotalSeconds, cpu = ClientCpu.Seconds() - cpu0;
        File.Delete(file);
        if (code != 0) throw new InvalidOperationException($"fio failed ({code}): {output}");
        return (seconds, cpu);
    }

    public static string FioCommand(BenchOptions o) =>
        $"fio --name=w --rw=write --bs=1M --size={o.LargeBytes >> 20}M --ioengine=io_uring --fsync_on_close=1 --end_fsync=1 --filename=DIR/fio-write.bin";
}
