using System.Security.Cryptography;
using Sluice.IO.Files;
using Sluice.IO.Native;
using Sluice.IO.Uring;
using Xunit.Abstractions;

namespace Sluice.IO.Tests.Files;

[System.Runtime.Versioning.SupportedOSPlatform("linux")] // Sluice.IO is Linux-only; the BCL mode APIs say so
public class FileTests(ITestOutputHelper output)
{
    private static readonly IoFileOptions ReadWriteNew = new() { Write = true, CreateExclusive = true };

    public static TheoryData<string, int> EnginesAndSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var mode in new[] { "uring", "managed" })
            foreach (int size in new[] { 0, 1, 4095, 4096, (1 << 20) + 17 })
                data.Add(mode, size);
        return data;
    }

    [Theory]
    [MemberData(nameof(EnginesAndSizes))]
    public async Task Create_write_and_read_back_is_byte_exact(string mode, int size)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        var data = RandomNumberGenerator.GetBytes(size);
        string path = dir.File("data.bin");
        await using (var file = await engine.OpenFileAsync(path, ReadWriteNew))
        {
            Assert.Equal(path, file.Path);
            Assert.False(file.IsDirect);
            await file.WriteAsync(data, 0);
            Assert.Equal(size, await file.GetLengthAsync());
        }
        await using (var file = await engine.OpenFileAsync(path, IoFileOptions.OpenRead))
        {
            var back = new byte[size + 10];
            int total = 0, n;
            while ((n = await file.ReadAsync(back.AsMemory(total), total)) > 0) total += n;
            Assert.Equal(size, total);
            Assert.Equal(data, back[..size]);
        }
        Assert.Equal(data, await File.ReadAllBytesAsync(path)); // and the kernel agrees with the BCL
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Reads_and_writes_at_offsets_and_a_short_read_at_end_of_file(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        await using var file = await engine.OpenFileAsync(dir.File("f"), IoFileOptions.CreateReadWrite);
        var a = RandomNumberGenerator.GetBytes(1000);
        var b = RandomNumberGenerator.GetBytes(500);
        await file.WriteAsync(a, 0);
        await file.WriteAsync(b, 700); // overwrites a[700..1000] and extends to 1200
        Assert.Equal(1200, await file.GetLengthAsync());

        var expected = a[..700].Concat(b).ToArray();
        var middle = new byte[300];
        Assert.Equal(300, await file.ReadAsync(middle, 600));
        Assert.Equal(expected[600..900], middle);

        var tail = new byte[4096];
        int n = await file.ReadAsync(tail, 1000);
        Assert.Equal(200, n); // short: only 200 bytes remain
        Assert.Equal(expected[1000..], tail[..n]);
        Assert.Equal(0, await file.ReadAsync(tail, 1200)); // at end of file
        Assert.Equal(0, await file.ReadAsync(tail, 999_999)); // past it
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Native_buffer_round_trip_uses_the_fixed_path_on_io_uring(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        var uring = engine as UringEngine;
        var data = RandomNumberGenerator.GetBytes(200_000);
        await using var file = await engine.OpenFileAsync(dir.File("fixed"), IoFileOptions.CreateReadWrite);

        using var write = await engine.Buffers.RentAsync(data.Length);
        data.CopyTo(write.GetSpan());
        long readsBefore = uring?.FixedReads ?? 0, writesBefore = uring?.FixedWrites ?? 0;
        await file.WriteAsync(write, data.Length, 4096);

        using var read = await engine.Buffers.RentAsync(data.Length);
        read.GetSpan().Clear();
        int got = 0;
        while (got < data.Length)
        {
            int n = await file.ReadAsync(read, data.Length - got, 4096 + got); // into the buffer's start each time
            Assert.True(n > 0);
            Assert.Equal(data.AsSpan(got, n).ToArray(), read.GetSpan()[..n].ToArray());
            got += n;
        }
        if (uring != null)
        {
            Assert.True(write.RegisteredIndex >= 0, "the engine did not register its pool");
            Assert.True(uring.FixedWrites - writesBefore >= 1, "WRITE_FIXED was not used");
            Assert.True(uring.FixedReads - readsBefore >= 1, "READ_FIXED was not used");
        }
        else
        {
            Assert.Equal(-1, write.RegisteredIndex);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Files_are_named_by_registered_slot_on_io_uring_and_slots_come_back(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode, reactors: 1);
        var a = RandomNumberGenerator.GetBytes(8192);
        var b = RandomNumberGenerator.GetBytes(8192);
        await using (var fa = await engine.OpenFileAsync(dir.File("a"), IoFileOptions.CreateReadWrite))
        await using (var fb = await engine.OpenFileAsync(dir.File("b"), IoFileOptions.CreateReadWrite))
        {
            if (fa is UringFile ua && fb is UringFile ub)
            {
                Assert.True(ua.IsRegistered, "the first file was not installed in the ring's file table");
                Assert.True(ub.IsRegistered, "the second file was not installed in the ring's file table");
            }
            // Each file's reads and writes must reach that file: a wrong slot would read the other one's bytes.
            using var buffer = await engine.Buffers.RentAsync(8192);
            a.CopyTo(buffer.GetSpan());
            await fa.WriteAsync(buffer, 8192, 0);
            b.CopyTo(buffer.GetSpan());
            await fb.WriteAsync(buffer, 8192, 0);
            var back = new byte[8192];
            Assert.Equal(8192, await fa.ReadAsync(back, 0));
            Assert.Equal(a, back);
            Assert.Equal(8192, await fb.ReadAsync(back, 0));
            Assert.Equal(b, back);
        }
        // More opens than the table has slots, one after another: every one still gets a slot, so disposing frees it.
        for (int i = 0; i < UringReactor.FileTableSlots + 8; i++)
        {
            await using var f = await engine.OpenFileAsync(dir.File("a"), IoFileOptions.OpenRead);
            if (f is UringFile u) Assert.True(u.IsRegistered, $"open #{i} found no free slot: disposed files keep theirs");
            if (i % 256 == 0) Assert.Equal(4096, await f.ReadAsync(new byte[4096], 4096));
        }
        Assert.Equal(a, await File.ReadAllBytesAsync(dir.File("a")));
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Direct_io_round_trips_aligned_blocks_and_rejects_misaligned_ones(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        IoFile file;
        try
        {
            file = await engine.OpenFileAsync(dir.File("direct"), new IoFileOptions { Write = true, Create = true, Direct = true });
        }
        catch (IoException e) when (e.Errno == Errno.EINVAL)
        {
            // Reported, not hidden: this filesystem refuses O_DIRECT, so there is nothing to test here.
            output.WriteLine($"SKIPPED: the filesystem of {dir.Path} refuses O_DIRECT ({e.Message})");
            return;
        }
        await using (file)
        {
            Assert.True(file.IsDirect);
            using var buffer = await engine.Buffers.RentAsync(64 * 1024);
            RandomNumberGenerator.Fill(buffer.GetSpan());
            var data = buffer.GetSpan()[..(3 * IoFile.DirectAlignment)].ToArray();
            await file.WriteAsync(buffer, data.Length, IoFile.DirectAlignment);

            using var back = await engine.Buffers.RentAsync(64 * 1024);
            int n = await file.ReadAsync(back, 16 * IoFile.DirectAlignment, IoFile.DirectAlignment); // past EOF: short
            Assert.Equal(data.Length, n);
            Assert.Equal(data, back.GetSpan()[..n].ToArray());

            var misaligned = await Assert.ThrowsAsync<ArgumentException>(async () => await file.ReadAsync(back, 4096, 100));
            Assert.Contains("offset 100", misaligned.Message);
            await Assert.ThrowsAsync<ArgumentException>(async () => await file.WriteAsync(buffer, 1000, 0));
            await Assert.ThrowsAsync<ArgumentException>(async () => await file.WriteAsync(buffer.Memory[1..4097], 0));
            var managedArray = await Assert.ThrowsAsync<ArgumentException>(
                async () => await file.ReadAsync(new byte[4096 + 1].AsMemory(1), 0));
            Assert.Contains("aligned", managedArray.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Direct_reads_kept_in_flight_by_their_continuations_each_get_their_own_block(string mode)
    {
        // 32 loops, each issuing its next read from the previous one's continuation (the randread benchmark's
        // shape): on io_uring these are submitted one by one from inside the completion drain.
        const int Block = IoFile.DirectAlignment, Blocks = 512, Depth = 32, ReadsPerLoop = 100;
        using var dir = new TempDirectory();
        string path = dir.File("blocks");
        var data = RandomNumberGenerator.GetBytes(Block * Blocks);
        for (int i = 0; i < Blocks; i++) BitConverter.TryWriteBytes(data.AsSpan(i * Block), i);
        await File.WriteAllBytesAsync(path, data);
        await using var engine = Engines.Create(mode, reactors: 1);
        var before = engine.Counters;
        try
        {
            await engine.RunAsync(async () =>
            {
                await using var file = await engine.OpenFileAsync(path, new IoFileOptions { Read = true, Direct = true });
                var loops = new Task[Depth];
                for (int i = 0; i < Depth; i++) loops[i] = ReadLoop(file, seed: i + 1);
                await Task.WhenAll(loops);
            });
        }
        catch (IoException e) when (e.Errno == Errno.EINVAL)
        {
            output.WriteLine($"SKIPPED: the filesystem of {dir.Path} refuses O_DIRECT ({e.Message})");
            return;
        }
        if (Engines.IsUring(mode))
        {
            // Each O_DIRECT read enters the kernel as soon as it is prepared, not at the end of the loop turn.
            var d = engine.Counters - before;
            Assert.True(d.EnterCalls >= Depth * ReadsPerLoop, $"{d.EnterCalls} io_uring_enter calls for {Depth * ReadsPerLoop} reads");
        }

        async Task ReadLoop(IoFile file, int seed)
        {
            var random = new Random(seed);
            using var buffer = await engine.Buffers.RentAsync(Block);
            for (int i = 0; i < ReadsPerLoop; i++)
            {
                int block = random.Next(Blocks);
                Assert.Equal(Block, await file.ReadAsync(buffer, Block, (long)block * Block));
                Assert.True(buffer.GetSpan()[..Block].SequenceEqual(data.AsSpan(block * Block, Block)), $"block {block}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Sync_range_starts_and_waits_for_writeback_and_reports_kernel_errors(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        string path = dir.File("range");
        await using var file = await engine.OpenFileAsync(path, IoFileOptions.CreateReadWrite);
        await file.WriteAsync(data, 0);
        await file.SyncRangeAsync(0, 1 << 20, SyncRangeMode.Write);
        await file.SyncRangeAsync(0, 1 << 20, SyncRangeMode.WaitBefore);
        await file.SyncRangeAsync(1 << 20, 0, SyncRangeMode.WaitBefore | SyncRangeMode.Write | SyncRangeMode.WaitAfter);
        await file.SyncRangeAsync(0, 1, SyncRangeMode.None);
        var back = new byte[data.Length];
        int got = 0;
        while (got < back.Length) got += await file.ReadAsync(back.AsMemory(got), got);
        Assert.Equal(data, back);
        // A flag the kernel does not know is its EINVAL, with the operation and the path.
        var e = await Assert.ThrowsAsync<IoException>(async () => await file.SyncRangeAsync(0, 4096, (SyncRangeMode)8));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("sync_file_range", e.Operation);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await file.SyncRangeAsync(-1, 1, SyncRangeMode.Write));
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Flush_allocate_and_stat(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        string path = dir.File("alloc");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await using (var file = await engine.OpenFileAsync(path, IoFileOptions.CreateReadWrite))
        {
            await file.WriteAsync("hello"u8.ToArray(), 0);
            await file.FlushAsync();
            await file.FlushAsync(dataOnly: true);
            await file.AllocateAsync(0, 3 << 20);
            var stat = await file.StatAsync();
            Assert.Equal(3 << 20, stat.Length);
            Assert.False(stat.IsDirectory);
            Assert.True(stat.BlockSize > 0);
            Assert.InRange(stat.LastWriteTime, before, DateTimeOffset.UtcNow.AddSeconds(5));
            var head = new byte[5];
            Assert.Equal(5, await file.ReadAsync(head, 0)); // preallocation keeps what was written
            Assert.Equal("hello"u8.ToArray(), head);
        }
        var byPath = await engine.StatAsync(path);
        Assert.Equal(3 << 20, byPath.Length);
        Assert.Equal(IoFileOptions.DefaultPermissions & ~UmaskOf(), byPath.Permissions);
        Assert.True((await engine.StatAsync(dir.Path)).IsDirectory);
        Assert.Equal(new FileInfo(path).Length, byPath.Length);
    }

    private static UnixFileMode UmaskOf()
    {
        // The umask is not readable without changing it; infer it from a file the BCL creates with 0666.
        string probe = Path.Combine(Path.GetTempPath(), "sluice-umask-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(probe, []);
        try { return (UnixFileMode)0b110_110_110 & ~File.GetUnixFileMode(probe); }
        finally { File.Delete(probe); }
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Rename_atomically_replaces_the_target_and_delete_removes(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        string temp = dir.File("object.tmp"), final = dir.File("object");
        await File.WriteAllTextAsync(final, "old");
        await using (var file = await engine.OpenFileAsync(temp, ReadWriteNew))
        {
            await file.WriteAsync("new contents"u8.ToArray(), 0);
            await file.FlushAsync();
        }
        await using var reader = await engine.OpenFileAsync(final, IoFileOptions.OpenRead); // holds the old inode
        await engine.RenameAsync(temp, final);
        Assert.False(File.Exists(temp));
        Assert.Equal("new contents", await File.ReadAllTextAsync(final));
        var old = new byte[16];
        int n = await reader.ReadAsync(old, 0);
        Assert.Equal("old", System.Text.Encoding.ASCII.GetString(old, 0, n)); // replaced, not rewritten in place

        await engine.DeleteAsync(final);
        Assert.False(File.Exists(final));
        var gone = await Assert.ThrowsAsync<IoException>(async () => await engine.DeleteAsync(final));
        Assert.Equal(Errno.ENOENT, gone.Errno);
        Assert.Equal("unlinkat", gone.Operation);
        var renameMissing = await Assert.ThrowsAsync<IoException>(async () => await engine.RenameAsync(temp, final));
        Assert.Equal(Errno.ENOENT, renameMissing.Errno);
        Assert.Equal("renameat", renameMissing.Operation);
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Open_failures_are_typed_with_errno_and_path(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        string missing = dir.File("missing");

        var enoent = await Assert.ThrowsAsync<IoException>(async () => await engine.OpenFileAsync(missing, IoFileOptions.OpenRead));
        Assert.Equal(Errno.ENOENT, enoent.Errno);
        Assert.Equal("openat", enoent.Operation);
        Assert.Contains(missing, enoent.Message);

        await File.WriteAllTextAsync(missing, "x");
        var eexist = await Assert.ThrowsAsync<IoException>(async () => await engine.OpenFileAsync(missing, ReadWriteNew));
        Assert.Equal(Errno.EEXIST, eexist.Errno);

        var eisdir = await Assert.ThrowsAsync<IoException>(async () =>
            await engine.OpenFileAsync(dir.Path, new IoFileOptions { Write = true }));
        Assert.Equal(Errno.EISDIR, eisdir.Errno);

        var statMissing = await Assert.ThrowsAsync<IoException>(async () => await engine.StatAsync(dir.File("nope")));
        Assert.Equal(Errno.ENOENT, statMissing.Errno);
        Assert.Equal("statx", statMissing.Operation);

        // Writing to a file opened read-only: the kernel's EBADF, typed.
        await using var readOnly = await engine.OpenFileAsync(missing, IoFileOptions.OpenRead);
        var ebadf = await Assert.ThrowsAsync<IoException>(async () => await readOnly.WriteAsync(new byte[10], 0));
        Assert.Equal(Errno.EBADF, ebadf.Errno);
        Assert.Equal("write", ebadf.Operation);

        Assert.Throws<ArgumentException>(() => new IoFileOptions { Read = true, Truncate = true }.ToOpenFlags());
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.OpenFileAsync("bad\0path", IoFileOptions.OpenRead));
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task New_files_get_the_requested_permissions(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        string path = dir.File("private");
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (await engine.OpenFileAsync(path, new IoFileOptions { Write = true, Create = true, Permissions = owner })) { }
        Assert.Equal(owner, File.GetUnixFileMode(path));
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Files_opened_on_a_reactor_work_from_any_thread_and_concurrently(string mode)
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create(mode);
        await using var file = await engine.OpenFileAsync(dir.File("many"), IoFileOptions.CreateReadWrite);
        var blocks = Enumerable.Range(0, 64).Select(i => RandomNumberGenerator.GetBytes(8192)).ToArray();
        await Task.WhenAll(blocks.Select((b, i) => Task.Run(async () => await file.WriteAsync(b, i * 8192L))));
        await Task.WhenAll(blocks.Select((b, i) => Task.Run(async () =>
        {
            var back = new byte[8192];
            Assert.Equal(8192, await file.ReadAsync(back, i * 8192L));
            Assert.Equal(b, back);
        })));
    }

    [Fact]
    public async Task Fixed_buffer_file_io_on_a_reactor_resumes_inline()
    {
        using var dir = new TempDirectory();
        await using var engine = Engines.Create("uring", reactors: 1);
        const int Rounds = 200;
        var threads = new List<string?>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A listener handler runs on the reactor thread: open, write and read there as a server would.
        await using var listener = engine.Listen(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), async c =>
        {
            await using var _ = c;
            try
            {
                await using var file = await engine.OpenFileAsync(dir.File("hot"), IoFileOptions.CreateReadWrite);
                using var buffer = await engine.Buffers.RentAsync(4096);
                threads.Add(Thread.CurrentThread.Name);
                for (int i = 0; i < Rounds; i++) await RoundTrip(file, buffer, i);
                threads.Add(Thread.CurrentThread.Name);
                done.SetResult();
            }
            catch (Exception e) { done.SetException(e); }
        });
        await using var client = await engine.ConnectAsync(listener.LocalEndPoint, TimeSpan.FromSeconds(10));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.All(threads, n => Assert.Equal("sluice-reactor-0", n));
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask RoundTrip(IoFile file, Sluice.IO.Buffers.NativeBuffer buffer, int i)
    {
        buffer.GetSpan()[0] = (byte)i;
        await file.WriteAsync(buffer, 4096, (i % 16) * 4096L);
        buffer.GetSpan()[0] = 0;
        if (await file.ReadAsync(buffer, 4096, (i % 16) * 4096L) != 4096 || buffer.GetSpan()[0] != (byte)i)
            throw new InvalidDataException("read back differs");
    }
}
