using Sluice.IO.Buffers;

namespace Sluice.IO.Tests.Buffers;

public class NativeBufferPoolTests
{
    private static NativeBufferPool Small() => new([4096, 65536], [4, 2]);

    [Fact]
    public unsafe void Buffers_are_page_aligned_and_sized_by_class()
    {
        using var pool = Small();
        var rented = new List<NativeBuffer>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(pool.TryRent(100, out var b));
            Assert.Equal(4096, b.Length);
            Assert.Equal(0, (long)b.Address % NativeBufferPool.Alignment);
            rented.Add(b);
        }
        Assert.True(pool.TryRent(5000, out var big));
        Assert.Equal(65536, big.Length);
        Assert.Equal(0, (long)big.Address % NativeBufferPool.Alignment);
        Assert.Equal(5, pool.Outstanding);
        // Distinct, non-overlapping memory.
        Assert.Equal(4, rented.Select(b => (long)b.Address).Distinct().Count());
        foreach (var b in rented) b.Return();
        big.Return();
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Memory_and_span_cover_the_buffer()
    {
        using var pool = Small();
        Assert.True(pool.TryRent(4096, out var b));
        b.Memory.Span.Fill(0xAB);
        Assert.All(b.GetSpan().ToArray(), x => Assert.Equal(0xAB, x));
        Assert.Equal(4096, b.Memory.Length);
        b.Return();
    }

    [Fact]
    public async Task The_pool_is_bounded_and_a_waiting_rent_gets_the_next_return()
    {
        using var pool = Small();
        Assert.True(pool.TryRent(65536, out var a));
        Assert.True(pool.TryRent(65536, out var b));
        Assert.False(pool.TryRent(65536, out _)); // exhausted: no growth
        var waiting = pool.RentAsync(65536).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        a.Return();
        var c = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(a, c); // the buffer just returned, not new memory
        b.Return();
        c.Return();
    }

    [Fact]
    public async Task A_waiting_rent_can_be_cancelled()
    {
        using var pool = new NativeBufferPool([4096], [1]);
        Assert.True(pool.TryRent(1, out var only));
        using var cts = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.RentAsync(1, cts.Token));
        only.Return();
    }

    [Fact]
    public void Returning_twice_is_caught()
    {
        using var pool = Small();
        Assert.True(pool.TryRent(1, out var b));
        b.Return();
        var ex = Assert.Throws<InvalidOperationException>(() => b.Return());
        Assert.Contains("twice", ex.Message);
    }

    [Fact]
    public void Disposing_with_a_buffer_still_rented_reports_the_leak_and_keeps_that_memory()
    {
        var pool = Small();
        Assert.True(pool.TryRent(1, out var held));
        var ex = Assert.Throws<InvalidOperationException>(pool.Dispose);
        Assert.Contains("leak", ex.Message);
        // The renter may still be using it (a digest on another thread): its class stays allocated, the idle one is freed.
        Assert.NotEqual(0, pool.ClassSlab(0).Address);
        Assert.Equal(0, pool.ClassSlab(1).Address);
        held.GetSpan().Fill(1);
        held.Return();
    }

    [Fact]
    public async Task Waiting_for_returns_ends_when_the_last_buffer_comes_back_or_at_the_limit()
    {
        using var pool = Small();
        Assert.True(pool.TryRent(1, out var held));
        var late = Task.Run(async () => { await Task.Delay(100); held.Return(); });
        await pool.WaitForReturnsAsync(TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, pool.Outstanding);
        await late;

        Assert.True(pool.TryRent(1, out var kept));
        var started = System.Diagnostics.Stopwatch.StartNew();
        await pool.WaitForReturnsAsync(TimeSpan.FromMilliseconds(200));
        Assert.InRange(started.ElapsedMilliseconds, 150, 20_000);
        Assert.Equal(1, pool.Outstanding);
        kept.Return();
    }

    [Fact]
    public void Oversized_requests_and_bad_classes_are_rejected()
    {
        using var pool = Small();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.TryRent(65537, out _));
        Assert.Throws<ArgumentException>(() => new NativeBufferPool([3000], [1]));
        Assert.Throws<ArgumentException>(() => new NativeBufferPool([8192, 4096], [1, 1]));
        Assert.Throws<ArgumentException>(() => new NativeBufferPool([4096], [0]));
    }

    [Fact]
    public void Renting_and_returning_does_not_allocate()
    {
        using var pool = Small();
        for (int i = 0; i < 10; i++) { pool.TryRent(1, out var w); w.Return(); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            pool.TryRent(1, out var b);
            b.Return();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(Engines.Both), MemberType = typeof(Engines))]
    public async Task Engines_register_their_pool_with_the_rings_where_they_can(string mode)
    {
        await using var engine = Engines.Create(mode);
        Assert.True(engine.Buffers.TryRent(1, out var b));
        if (mode == "uring")
        {
            Assert.True(engine.Buffers.IsRegistered);
            Assert.Equal(0, b.RegisteredIndex);
        }
        else
        {
            Assert.False(engine.Buffers.IsRegistered);
            Assert.Equal(-1, b.RegisteredIndex);
        }
        b.Return();
    }
}
