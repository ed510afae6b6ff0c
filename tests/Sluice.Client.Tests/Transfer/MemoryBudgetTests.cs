using Sluice.Client.Transfer;

namespace Sluice.Client.Tests.Transfer;

public class MemoryBudgetTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task Rent_waits_when_the_budget_is_spent_and_resumes_on_return()
    {
        using var budget = new MemoryBudget(4 * MiB);
        var a = await budget.RentAsync(3 * MiB);
        var pending = budget.RentAsync(2 * MiB).AsTask();
        Assert.False(pending.IsCompleted); // decided when asked: nothing to wait for
        Assert.Equal(3 * MiB, budget.Reserved);
        a.Return();
        var b = await pending.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(2 * MiB, budget.Reserved);
        b.Return();
        Assert.Equal(0, budget.Reserved);
        Assert.Equal(3 * MiB, budget.PeakReserved);
        Assert.True(budget.Allocated <= budget.Capacity);
    }

    [Fact]
    public async Task Waiters_are_served_in_order_so_a_large_request_is_not_starved()
    {
        using var budget = new MemoryBudget(4 * MiB);
        var held = await budget.RentAsync(3 * MiB);
        var large = budget.RentAsync(4 * MiB).AsTask();
        // Fits right now, but must queue behind the large request.
        Assert.False(budget.TryRent(MiB, out _));
        var small = budget.RentAsync(MiB).AsTask();
        Assert.False(small.IsCompleted);
        held.Return();
        var l = await large.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.False(small.IsCompleted);
        l.Return();
        (await small.WaitAsync(TimeSpan.FromMinutes(2))).Return();
    }

    [Fact]
    public async Task Small_buffers_reserve_pages_not_parts_and_are_aligned()
    {
        using var budget = new MemoryBudget(16 * MiB);
        var small = await budget.RentAsync(10_000);
        Assert.Equal(12_288, budget.Reserved);
        Assert.Equal(10_000, small.Memory.Length);
        unsafe
        {
            using var pin = small.Memory.Pin();
            Assert.Equal(0, (nint)pin.Pointer % MemoryBudget.Alignment);
        }
        small.Return();
        Assert.Throws<InvalidOperationException>(small.Return);
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_budget_consistent()
    {
        using var budget = new MemoryBudget(2 * MiB);
        var held = await budget.RentAsync(2 * MiB);
        using var cts = new CancellationTokenSource();
        var waiting = budget.RentAsync(MiB, cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Return();
        Assert.Equal(0, budget.Reserved);
        (await budget.RentAsync(2 * MiB).AsTask().WaitAsync(TimeSpan.FromMinutes(2))).Return();
    }

    [Fact]
    public async Task A_request_larger_than_the_budget_is_an_error_not_a_hang()
    {
        using var budget = new MemoryBudget(MiB);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await budget.RentAsync(MiB + 1));
    }

    [Fact]
    public async Task Many_concurrent_renters_never_exceed_the_budget()
    {
        using var budget = new MemoryBudget(8 * MiB);
        var rng = new Random(5);
        int[] sizes = Enumerable.Range(0, 400).Select(_ => rng.Next(1, 3 * MiB)).ToArray();
        await Parallel.ForEachAsync(sizes, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (size, ct) =>
        {
            var b = await budget.RentAsync(size, ct);
            b.Memory.Span[0] = 1;
            b.Memory.Span[^1] = 1;
            await Task.Yield();
            Assert.True(budget.Reserved <= budget.Capacity);
            b.Return();
        });
        Assert.Equal(0, budget.Reserved);
        Assert.True(budget.PeakReserved <= budget.Capacity);
        Assert.True(budget.Allocated <= budget.Capacity);
    }
}
