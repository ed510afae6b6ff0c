using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Whole-object GETs of a large object to several slow readers at once, while the object's pages keep leaving the page
/// cache: the send-file path meets a full socket over and over and its file reads miss the cache. Every response
/// must carry exactly Content-Length bytes, byte-exact — a short or failed send must never end a response early
/// without an error. (Over loopback both engines copy: read + send. The zero-copy path's own full-socket and
/// uncached-step tests are in Sluice.IO.Tests' SpliceTests.)
/// </summary>
public partial class LargeGetTests
{
    private const int ObjectSize = (24 << 20) + 4321;
    private const int Readers = 4;
    private const int ReadChunk = 64 << 10;
    private static readonly TimeSpan ReaderPause = TimeSpan.FromMilliseconds(15); // after each MiB read
    private static readonly TimeSpan EvictEvery = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(10); // a hang guard only

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task Concurrent_slow_readers_of_an_object_leaving_the_page_cache_each_get_every_byte(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        Assert.Equal(200, (await t.Client.SendAsync("PUT", "/big")).Status);
        var body = RandomNumberGenerator.GetBytes(ObjectSize);
        Assert.Equal(200, (await t.Client.PutObjectAsync("big", "obj", body)).Status);
        string file = Directory.EnumerateFiles(t.Directory, "*", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();
        Assert.True(new FileInfo(file).Length >= ObjectSize, "the object's file holds the body");

        using var stop = new CancellationTokenSource();
        var evictor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Evict(file);
                try { await Task.Delay(EvictEvery, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        try
        {
            var readers = Enumerable.Range(0, Readers).Select(_ => SlowGetAsync(t)).ToArray();
            var results = await Task.WhenAll(readers).WaitAsync(TestTimeout);
            foreach (var (length, received) in results)
            {
                Assert.Equal(ObjectSize, length);
                Assert.Equal(ObjectSize, received.Length); // the whole body, not a connection closed early
                Assert.True(body.AsSpan().SequenceEqual(received), "body differs");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await evictor;
        }
    }

    /// <summary>GET of the object read in small pieces with pauses: the server's socket stays full.</summary>
    private static async Task<(long ContentLength, byte[] Received)> SlowGetAsync(TestServer t)
    {
        var endpoint = t.Endpoint;
        var headers = new Sluice.S3.Auth.SigV4HeaderList();
        headers.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        string query = new Sluice.S3.Auth.SigV4Signer(TestServer.AccessKey, TestServer.Secret, S3TestClient.Region)
            .Presign(headers, "GET", "/big/obj", null, DateTimeOffset.UtcNow, 300);
        using var http = t.NewHttpClient(TestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{endpoint.Scheme}://{endpoint.Host}:{endpoint.Port}/big/obj?{query}"))
        {
            Version = t.HttpVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        long length = response.Content.Headers.ContentLength ?? -1;
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var chunk = new byte[ReadChunk];
        long sincePause = 0;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(chunk)) > 0)
            {
                received.Write(chunk, 0, n);
                if ((sincePause += n) >= 1 << 20)
                {
                    sincePause = 0;
                    await Task.Delay(ReaderPause);
                }
            }
        }
        catch (IOException e)
        {
            // HttpClient reports a body that ends before Content-Length as an IOException: say how far it got.
            Assert.Fail($"the response ended after {received.Length} of {length} bytes: {e.Message}");
        }
        return (length, received.ToArray());
    }

    /// <summary>POSIX_FADV_DONTNEED: clean pages of the file leave the page cache (the server's descriptor sees it).</summary>
    private static void Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        _ = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, 4);
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
