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
    public void Disposing_with_a_buffer_still_rented_frees_its_class_when_the_last_buffer_comes_back()
    {
        var pool = Small();
        Assert.True(pool.TryRent(1, out var held));
        Assert.True(pool.TryRent(1, out var other));
        pool.Dispose(); // no wait and no error: the renters may still be unwinding
        // The renter may still be using it (a digest on another thread): its class stays allocated, the idle one is freed.
        Assert.NotEqual(0, pool.ClassSlab(0).Address);
        Assert.Equal(0, pool.ClassSlab(1).Address);
        Assert.False(pool.Freed.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => pool.TryRent(1, out _));
        held.GetSpan().Fill(1);
        held.Return();
        Assert.NotEqual(0, pool.ClassSlab(0).Address); // one buffer is still out
        other.Return();
        Assert.Equal(0, pool.ClassSlab(0).Address);  // the last return freed it
        Assert.True(pool.Freed.IsCompletedSuccessfully);
        Assert.Throws<InvalidOperationException>(() => other.Return()); // still caught after disposal
    }

    [Fact]
    public async Task A_rent_waiting_when_the_pool_is_disposed_fails_at_the_next_return()
    {
        var pool = new NativeBufferPool([4096], [1]);
        Assert.True(pool.TryRent(1, out var only));
        var waiting = pool.RentAsync(1).AsTask();
        pool.Dispose();
        only.Return();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.True(pool.Freed.IsCompletedSuccessfully);
    }

    [Fact]
    public void Disposing_an_idle_pool_frees_everything_at_once()
    {
        var pool = Small();
        pool.Dispose();
        Assert.True(pool.Freed.IsCompletedSuccessfully);
        Assert.Equal(0, pool.ClassSlab(0).Address);
        Assert.Equal(0, pool.ClassSlab(1).Address);
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
