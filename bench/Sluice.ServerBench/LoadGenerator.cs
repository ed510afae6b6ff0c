using System.Diagnostics;
using System.Net;

namespace Sluice.ServerBench;

/// <summary>
/// Closed-loop load: N keep-alive connections, each sending its prepared request and reading the response, again
/// and again until the duration is up (requests in flight then finish). Counts responses with the expected status.
/// </summary>
internal static class LoadGenerator
{
    public static (long Bytes, long Requests, long Errors) Run(IPEndPoint endPoint, Func<int, byte[]> requestFor,
        int connections, TimeSpan duration, int expectedStatus = 200)
    {
        var requests = new byte[connections][];
        for (int i = 0; i < connections; i++) requests[i] = requestFor(i);
        long total = 0, errors = 0, bytes = 0;
        var clock = Stopwatch.StartNew();
        async Task OneAsync(byte[] request)
        {
            using var connection = await HttpConnection.ConnectAsync(endPoint);
            long done = 0, failed = 0, received = 0;
            while (clock.Elapsed < duration)
            {
                await connection.SendAsync(request);
                var (status, length) = await connection.ReadResponseAsync();
                if (status == expectedStatus) done++;
                else failed++;
                received += length;
            }
            Interlocked.Add(ref total, done);
            Interlocked.Add(ref errors, failed);
            Interlocked.Add(ref bytes, received);
        }
        Task.WaitAll(requests.Select(r => Task.Run(() => OneAsync(r))).ToArray());
        return (bytes, total, errors);
    }
}
