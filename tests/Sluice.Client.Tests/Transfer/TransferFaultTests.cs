using System.Net;
using Sluice.Client.Transfer;
using Sluice.Server;

namespace Sluice.Client.Tests.Transfer;

/// <summary>Transfers interrupted by the server going away, then resumed against a restarted server.</summary>
public sealed class TransferFaultTests : IDisposable
{
    private const int MiB = 1 << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-transfer-fault-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private static Task<SluiceServer> StartAsync(string data) =>
        SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = data, Listen = new IPEndPoint(IPAddress.Loopback, 0), ShutdownGrace = TimeSpan.Zero });

    private static S3Client ClientFor(SluiceServer server) => new(new S3ClientOptions
    {
        Endpoint = server.Endpoint,
        AccessKeyId = SluiceServerOptions.DevAccessKey,
        SecretAccessKey = SluiceServerOptions.DevSecretKey,
        Retry = new Retry.RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(10) },
    });

    [Fact]
    public async Task Download_cut_off_by_a_server_stop_fails_clearly_keeps_its_partial_and_resumes_after_restart()
    {
        string data = Path.Combine(_root, "data"), target = Path.Combine(_root, "out", "obj");
        var bytes = TransferServerFixture.RandomBytes(30 * MiB, 21);
        var options = TransferServerFixture.SmallParts() with { Concurrency = 1 };
        var server = await StartAsync(data);
        Task? stopping = null;
        await using (var client = ClientFor(server))
        {
            using var engine = new TransferEngine(client, options);
            await client.CreateBucketAsync("bkt");
            await client.PutObjectAsync(new Model.PutObjectRequest("bkt", "obj") { ChecksumAlgorithm = S3.Checksums.ChecksumAlgorithm.Crc64Nvme }, bytes);
            var stopAfterTwoParts = new Progress(p =>
            {
                if (p.PartsDone == 2) stopping ??= Task.Run(server.StopAsync); // StopAsync is idempotent: a racing second call is harmless
            });
            var e = await Assert.ThrowsAsync<TransferException>(() => engine.DownloadFileAsync("bkt", "obj", target, stopAfterTwoParts));
            Assert.Contains("resume", e.Message);
            // The stop itself must succeed (awaiting its task, not a flag it sets at the end: a failed stop fails the test
            // here instead of leaving it waiting).
            await stopping!;
            Assert.False(File.Exists(target));
            Assert.True(File.Exists(DownloadState.PartialPath(target)));
            Assert.True(DownloadState.Load(DownloadState.SidecarPath(target))!.Parts.Count >= 2);
        }

        await using var restarted = await StartAsync(data);
        await using var again = ClientFor(restarted);
        using var resumedEngine = new TransferEngine(again, options);
        var result = await resumedEngine.DownloadFileAsync("bkt", "obj", target);
        Assert.True(result.ResumedParts >= 2);
        Assert.True(result.ChecksumVerified);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Upload_cut_off_by_a_server_stop_names_its_upload_id_and_resumes_after_restart()
    {
        string data = Path.Combine(_root, "data"), source = Path.Combine(_root, "src.bin");
        var bytes = TransferServerFixture.RandomBytes(26 * MiB, 22);
        File.WriteAllBytes(source, bytes);
        var options = TransferServerFixture.SmallParts() with { Concurrency = 1 };
        string uploadId;
        var server = await StartAsync(data);
        Task? stopping = null;
        await using (var client = ClientFor(server))
        {
            using var engine = new TransferEngine(client, options);
            await client.CreateBucketAsync("bkt");
            var stopAfterTwoParts = new Progress(p =>
            {
                if (p.PartsDone == 2) stopping ??= Task.Run(server.StopAsync); // StopAsync is idempotent: a racing second call is harmless
            });
            var e = await Assert.ThrowsAsync<TransferException>(() => engine.UploadFileAsync(source, "bkt", "obj", progress: stopAfterTwoParts));
            Assert.NotNull(e.UploadId);
            Assert.Contains(e.UploadId, e.Message);
            uploadId = e.UploadId;
        }
        // The stopped server has let go of the data directory before another one opens it.
        await stopping!;

        await using var restarted = await StartAsync(data);
        await using var again = ClientFor(restarted);
        using var resumedEngine = new TransferEngine(again, options);
        var result = await resumedEngine.UploadFileAsync(source, "bkt", "obj", new UploadOptions { ResumeUploadId = uploadId });
        Assert.True(result.ResumedParts >= 2);
        Assert.True(result.ChecksumVerified);
        Assert.Equal(bytes, await resumedEngine.DownloadBytesAsync("bkt", "obj"));
    }

    private sealed class Progress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
