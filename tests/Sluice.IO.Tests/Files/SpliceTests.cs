using Sluice.IO.Uring;
using System.Net;
using System.Security.Cryptography;
using Sluice.IO.Files;
using Sluice.IO.Native;

namespace Sluice.IO.Tests.Files;

public class SpliceTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);
    private const int LargeSize = (8 << 20) + 123;

    internal static async Task<byte[]> WriteRandomFile(string path, int size)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        await File.WriteAllBytesAsync(path, data);
        return data;
    }

    private static async Task<byte[]> ReceiveAll(Connection c, int expected)
    {
        var into = new byte[expected + 1];
        int total = 0, n;
        while ((n = await c.ReceiveAsync(into.AsMemory(total))) > 0) total += n;
        return into[..total];
    }

    /// <summary>Serves one connection with <paramref name="serve"/>; its outcome lands in the returned task.</summary>
    private static (Listener, Task) ServeOnce(IoEngine engine, Func<Connection, Task> serve)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = engine.Listen(AnyLoopback, async c =>
        {
            try
            {
                await using var _ = c;
                await serve(c);
                done.TrySetResult();
            }
            catch (Exception e) { done.TrySetException(e); }
        });
        return (listener, done.Task);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Io_uring_sends_cached_pages_inline_and_uncached_pages_through_splice(bool dropCache)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create("uring", zeroCopyToLoopback: true);
        string path = dir.File("payload");
        var data = await WriteRandomFile(path, LargeSize);
        if (dropCache) DropFromPageCache(path);
        long inlineBefore = Interlocked.Read(ref UringSendFile.InlineSteps);
        long splicedBefore = Interlocked.Read(ref UringSendFile.SplicedSteps);
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            await engine.SendFileAsync(file, 0, LargeSize, c);
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var received = await ReceiveAll(client, LargeSize).WaitAsync(TestTimeout);
            await served.WaitAsync(TestTimeout);
            Assert.True(data.AsSpan().SequenceEqual(received), "payload differs");
        }
        long spliced = Interlocked.Read(ref UringSendFile.SplicedSteps) - splicedBefore;
        long inline = Interlocked.Read(ref UringSendFile.InlineSteps) - inlineBefore;
        if (dropCache) Assert.True(spliced > 0, "uncached steps must go through splice (worker threads), not block the reactor");
        else Assert.True(inline > 0 && spliced == 0, $"cached data should go inline (inline {inline}, spliced {spliced})");
    }

    [Fact]
    public async Task Io_uring_copies_to_a_loopback_peer_by_default_and_zero_copies_when_asked()
    {
        using var dir = new TempDirectory();
        string path = dir.File("payload");
        var data = await WriteRandomFile(path, LargeSize);
        foreach (bool zeroCopy in new[] { false, true })
        {
            await using var engine = Engines.Create("uring", zeroCopyToLoopback: zeroCopy);
            long inlineBefore = Interlocked.Read(ref UringSendFile.InlineSteps);
            long copiesBefore = Interlocked.Read(ref UringEngine.LoopbackCopies);
            var (listener, served) = ServeOnce(engine, async c =>
            {
                await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
                await engine.SendFileAsync("head\n"u8.ToArray(), file, 0, LargeSize, c);
            });
            await using (listener)
            {
                await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
                var received = await ReceiveAll(client, LargeSize + 5).WaitAsync(TestTimeout);
                await served.WaitAsync(TestTimeout);
                Assert.True("head\n"u8.SequenceEqual(received.AsSpan(0, 5)), "head differs");
                Assert.True(data.AsSpan().SequenceEqual(received.AsSpan(5)), "payload differs");
            }
            long inline = Interlocked.Read(ref UringSendFile.InlineSteps) - inlineBefore;
            long copies = Interlocked.Read(ref UringEngine.LoopbackCopies) - copiesBefore;
            // Other tests may send files at the same time: the counters only show that a path ran, not that it alone did.
            if (zeroCopy) Assert.True(inline > 0, "zero copy to loopback was asked for: sendfile must run");
            else Assert.True(copies > 0, "a loopback peer gets a copy (read + send) by default");
        }
    }

    [Fact]
    public async Task Spliced_steps_wait_for_a_full_non_blocking_socket_instead_of_failing()
    {
        // sendfile switches the socket to non-blocking for its inline steps; the spliced (uncached) steps then meet a
        // full socket as EAGAIN (io_uring does not poll-retry splice), which must mean "wait until writable".
        const int Size = 32 << 20;
        using var dir = new TempDirectory();
        await using var engine = Engines.Create("uring", zeroCopyToLoopback: true);
        string path = dir.File("payload");
        var data = await WriteRandomFile(path, Size);
        var uring = (UringEngine)engine;
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            var uc = (UringConnection)c;
            int fd = uc.FileDescriptor;
            Assert.True(LibC.Fcntl(fd, LibC.FSetFl, LibC.Fcntl(fd, LibC.FGetFl, 0) | LibC.ONonBlock) >= 0);
            await UringSplice.SendFileAsync(uc.Reactor, uring.Pipes, (UringFile)file, 0, Size, fd, CancellationToken.None);
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            await Task.Delay(1000); // a slow reader: the socket buffers fill while the sender keeps splicing
            var received = await ReceiveAll(client, Size).WaitAsync(TestTimeout);
            await served.WaitAsync(TestTimeout);
            Assert.True(data.AsSpan().SequenceEqual(received), "payload differs");
        }
    }

    /// <summary>fsync then POSIX_FADV_DONTNEED: the file's pages leave the page cache.</summary>
    private static void DropFromPageCache(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.FlushToDisk(handle);
        Assert.Equal(0, posix_fadvise((int)handle.DangerousGetHandle(), 0, 0, 4 /* POSIX_FADV_DONTNEED */));
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);

    [Theory]
    [InlineData("uring", 0)]
    [InlineData("uring", (3 << 20) + 5)]
    [InlineData("managed", 0)]
    [InlineData("managed", (3 << 20) + 5)]
    public async Task SendFile_delivers_the_file_range_byte_exact(string mode, int offset)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("payload");
        var data = await WriteRandomFile(path, LargeSize);
        int count = LargeSize - offset;
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            await engine.SendFileAsync(file, offset, count, c);
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var received = await ReceiveAll(client, count).WaitAsync(TestTimeout);
            await served.WaitAsync(TestTimeout);
            Assert.Equal(count, received.Length);
            Assert.True(data.AsSpan(offset).SequenceEqual(received), "payload differs");
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task SendFile_of_a_small_unaligned_range_and_of_nothing(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("small");
        var data = await WriteRandomFile(path, 10_000);
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            await engine.SendFileAsync(file, 4000, 0, c);
            await engine.SendFileAsync(file, 4093, 7, c);   // crosses a page boundary
            await engine.SendFileAsync(file, 9990, 10, c);  // the very end
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var received = await ReceiveAll(client, 17).WaitAsync(TestTimeout);
            await served.WaitAsync(TestTimeout);
            Assert.Equal(data[4093..4100].Concat(data[9990..]).ToArray(), received);
        }
    }

    [Theory]
    [InlineData("uring", 3000)]
    [InlineData("uring", (2 << 20) + 7)]
    [InlineData("managed", 3000)]
    [InlineData("managed", (2 << 20) + 7)]
    public async Task SendFile_with_a_head_delivers_the_head_then_the_range(string mode, int size)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("payload");
        var data = await WriteRandomFile(path, size + 100);
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n"u8.ToArray();
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            await engine.SendFileAsync(head, file, 100, size, c);
            await engine.SendFileAsync(head, file, 0, 0, c); // nothing to send but the head
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var received = await ReceiveAll(client, head.Length * 2 + size).WaitAsync(TestTimeout);
            await served.WaitAsync(TestTimeout);
            Assert.Equal(head.Length * 2 + size, received.Length);
            Assert.True(received.AsSpan(0, head.Length).SequenceEqual(head), "head differs");
            Assert.True(received.AsSpan(head.Length, size).SequenceEqual(data.AsSpan(100, size)), "payload differs");
            Assert.True(received.AsSpan(head.Length + size).SequenceEqual(head), "second head differs");
        }
    }

    public static TheoryData<string, bool> BothEnginesWithAndWithoutHead => new()
    {
        { "uring", false }, { "uring", true }, { "managed", false }, { "managed", true },
    };

    /// <summary>A range past the end fails before anything is sent, the response head (when given) included.</summary>
    [Theory]
    [MemberData(nameof(BothEnginesWithAndWithoutHead))]
    public async Task SendFile_past_the_end_of_the_file_fails_before_sending(string mode, bool withHead)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("short");
        await WriteRandomFile(path, 1000);
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            if (withHead) await engine.SendFileAsync("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), file, 500, 501, c);
            else await engine.SendFileAsync(file, 500, 501, c);
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var received = await ReceiveAll(client, 0).WaitAsync(TestTimeout);
            var e = await Assert.ThrowsAsync<IoException>(() => served.WaitAsync(TestTimeout));
            Assert.Contains("is 1000 bytes", e.Message);
            Assert.Empty(received);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task SendFile_to_a_peer_that_closed_fails_with_a_reset(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("big");
        await using (var f = await engine.OpenFileAsync(path, IoFileOptions.CreateReadWrite))
            await f.AllocateAsync(0, 256L << 20); // more than loopback socket buffers can absorb; reads as zeros
        var peerClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            await peerClosed.Task;
            await engine.SendFileAsync(file, 0, 256L << 20, c);
        });
        await using (listener)
        {
            var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            await client.DisposeAsync();
            peerClosed.SetResult();
            var e = await Assert.ThrowsAsync<IoException>(() => served.WaitAsync(TestTimeout));
            Assert.True(e.IsConnectionReset, $"expected EPIPE/ECONNRESET, got errno {e.Errno}: {e.Message}");
        }
    }

    [Theory]
    [InlineData("uring", 0)]
    [InlineData("uring", 12345)]
    [InlineData("managed", 0)]
    [InlineData("managed", 12345)]
    public async Task ReceiveToFile_writes_exactly_the_bytes_sent(string mode, int offset)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("upload");
        var data = RandomNumberGenerator.GetBytes(LargeSize);
        var trailer = "next request"u8.ToArray();
        byte[]? leftOver = null;
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.CreateReadWrite);
            await engine.ReceiveToFileAsync(c, file, offset, data.Length);
            Assert.Equal(offset + data.Length, await file.GetLengthAsync());
            leftOver = await ReceiveAll(c, trailer.Length); // bytes after `count` stay on the connection
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            await client.SendAsync(data);
            await client.SendAsync(trailer);
            await client.ShutdownSendAsync();
            await served.WaitAsync(TestTimeout);
        }
        var written = await File.ReadAllBytesAsync(path);
        Assert.Equal(offset + data.Length, written.Length);
        Assert.True(written.AsSpan(offset).SequenceEqual(data), "file contents differ");
        Assert.True(written.AsSpan(0, offset).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(trailer, leftOver);
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task ReceiveToFile_fails_clearly_when_the_peer_ends_early(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        string path = dir.File("partial");
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = await engine.OpenFileAsync(path, IoFileOptions.CreateReadWrite);
            await engine.ReceiveToFileAsync(c, file, 0, 1 << 20);
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            await client.SendAsync(new byte[300_000]);
            await client.ShutdownSendAsync();
            var e = await Assert.ThrowsAsync<IoException>(() => served.WaitAsync(TestTimeout));
            Assert.Contains("300000 of 1048576 bytes", e.Message);
            Assert.Contains("end of stream", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Direct_files_are_refused_for_splice(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, zeroCopyToLoopback: true);
        IoFile file;
        try { file = await engine.OpenFileAsync(dir.File("d"), new IoFileOptions { Write = true, Create = true, Direct = true }); }
        catch (IoException e) when (e.Errno == Errno.EINVAL) { return; } // no O_DIRECT here: nothing to refuse
        await using (file)
        {
            var (listener, _) = ServeOnce(engine, _ => Task.CompletedTask);
            await using (listener)
            {
                await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
                await Assert.ThrowsAsync<ArgumentException>(async () => await engine.SendFileAsync(file, 0, 1, client));
                await Assert.ThrowsAsync<ArgumentException>(async () => await engine.ReceiveToFileAsync(client, file, 0, 1));
            }
        }
    }

    [Fact]
    public async Task A_short_first_splice_breaks_the_link_and_what_reached_the_pipe_is_still_delivered()
    {
        // Bypasses the engine's up-front length check to make the kernel see end of file mid-step: the file → pipe
        // half returns 6000 of 10000 bytes, the linked pipe → socket half is cancelled, and the 6000 bytes must
        // still be drained to the socket before the end of file is reported.
        using var dir = new TempDirectory();
        await using var engine = Engines.Create("uring", zeroCopyToLoopback: true);
        var uring = (Uring.UringEngine)engine;
        string path = dir.File("eof");
        var data = await WriteRandomFile(path, 10_000);
        var (listener, served) = ServeOnce(engine, async c =>
        {
            await using var file = (UringFile)await engine.OpenFileAsync(path, IoFileOptions.OpenRead);
            var connection = (Uring.UringConnection)c;
            await UringSplice.SendFileAsync(connection.Reactor, uring.Pipes, file, 4000, 10_000,
                connection.FileDescriptor, CancellationToken.None);
        });
        await using (listener)
        {
            await using var client = await engine.ConnectAsync(listener.LocalEndPoint, ConnectTimeout);
            var received = await ReceiveAll(client, 10_000).WaitAsync(TestTimeout);
            var e = await Assert.ThrowsAsync<IoException>(() => served.WaitAsync(TestTimeout));
            Assert.Contains("the file ends before offset 10000", e.Message);
            Assert.Equal(data[4000..], received);
            Assert.Equal(1, uring.Pipes.OpenPipes); // drained, so pooled rather than closed
        }
    }
}
