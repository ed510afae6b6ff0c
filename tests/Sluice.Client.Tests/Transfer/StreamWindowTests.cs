using Sluice.Client.Transfer;

namespace Sluice.Client.Tests.Transfer;

/// <summary>
/// A download written to a stream in order holds parts that land early, so its memory is bounded by the stream
/// window (a configuration value), not by the concurrency the throughput target asks for.
/// </summary>
public class StreamWindowTests(TransferServerFixture fx) : IClassFixture<TransferServerFixture>
{
    private const int MiB = 1 << 20;

    [Fact]
    public void Stream_concurrency_is_the_window_in_parts_unless_a_concurrency_is_given()
    {
        var options = new TransferOptions { StreamWindow = 32L << 20 }; // four parts of 8 MiB
        // The 10 Gbps target asks for 25 parts in flight; the budget (256 MiB) holds 32.
        Assert.Equal(25, PartPlanner.ConcurrencyFor(options, 8 * MiB, 128));
        Assert.Equal(4, PartPlanner.StreamConcurrencyFor(options, 8 * MiB, 128));
        Assert.Equal(2, PartPlanner.StreamConcurrencyFor(options, 8 * MiB, 2));
        // A window smaller than a part still moves one part at a time.
        Assert.Equal(1, PartPlanner.StreamConcurrencyFor(options with { StreamWindow = 1 }, 8 * MiB, 128));
        // An explicit concurrency is what the caller asked for (the memory budget still caps it).
        Assert.Equal(8, PartPlanner.StreamConcurrencyFor(options with { Concurrency = 8 }, 8 * MiB, 128));
        Assert.Equal(32, PartPlanner.StreamConcurrencyFor(options with { Concurrency = 100 }, 8 * MiB, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransferEngine(fx.Client, options with { StreamWindow = 0 }));
    }

    [Fact]
    public async Task A_stream_download_reserves_at_most_the_window_while_a_file_download_uses_the_budget()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(8 * 5 * MiB + 12345, 19);
        // 9 parts of 5 MiB; the budget holds 12 and the target asks for more, the window holds 2.
        var options = TransferServerFixture.SmallParts(64L << 20) with { StreamWindow = 10L << 20 };
        using var engine = fx.Engine(options);
        await engine.UploadFileAsync(fx.WriteFile(data), bucket, "big");

        engine.Memory.ResetPeak();
        using var sink = new MemoryStream();
        var result = await engine.DownloadToStreamAsync(bucket, "big", new WriteOnlyStream(sink));
        Assert.True(result.ChecksumVerified);
        Assert.Equal(data, sink.ToArray());
        Assert.InRange(engine.Memory.PeakReserved, 5 * MiB, options.StreamWindow);
        Assert.Equal(0, engine.Memory.Reserved);
    }

    /// <summary>What stdout or a pipe looks like to the engine: written in order, never sought.</summary>
    private sealed class WriteOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);
    }
}
