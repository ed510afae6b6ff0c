using Sluice.Client.Tests.Faults;
using Sluice.Client.Transfer;
using Sluice.Server;

namespace Sluice.Client.Tests.Transfer;

/// <summary>Transfers through a proxy that resets, truncates and throttles connections: the bytes still come out right.</summary>
public class TransferThroughFaultsTests(TransferServerFixture fx) : IClassFixture<TransferServerFixture>
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task Multipart_upload_and_download_survive_resets_truncations_and_503s_byte_exact()
    {
        string bucket = await fx.NewBucketAsync();
        // Every connection fails somewhere: mid-body resets, short bodies, SlowDown answers; even the "good" ones are
        // reset after 6 MiB of responses, so faults keep coming while parts are in flight, not only at the start.
        await using var proxy = new FaultProxy(fx.Server.LocalEndPoint, i => (i % 3) switch
        {
            1 => new Fault(FaultKind.Reset, AfterBytes: 1 * MiB + 17),
            2 => i % 2 == 0 ? new Fault(FaultKind.Truncate, AfterBytes: 2 * MiB) : new Fault(FaultKind.Respond, Status: 503),
            _ => new Fault(FaultKind.Reset, AfterBytes: 6 * MiB + i),
        });
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = proxy.Endpoint,
            AccessKeyId = SluiceServerOptions.DevAccessKey,
            SecretAccessKey = SluiceServerOptions.DevSecretKey,
            Retry = new Retry.RetryOptions { MaxAttempts = 8, BaseDelay = TimeSpan.FromMilliseconds(5), ThrottleBaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts() with { Concurrency = 3 });
        var data = TransferServerFixture.RandomBytes(21 * MiB + 5, 31);

        var up = await engine.UploadFileAsync(fx.WriteFile(data), bucket, "faulty");
        Assert.True(up.ChecksumVerified);
        string target = Path.Combine(fx.NewDirectory(), "faulty");
        var down = await engine.DownloadFileAsync(bucket, "faulty", target);
        Assert.True(down.ChecksumVerified);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.True(proxy.Connections >= 6, $"only {proxy.Connections} connections: the faults were not exercised");
        Assert.Equal(0, engine.Memory.Reserved);
    }
}
