using Sluice.Client.Transfer;

namespace Sluice.Client.Tests.Transfer;

public class PartPlannerTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void Default_plan_uses_8MiB_parts_and_connections_from_the_target()
    {
        var plan = PartPlanner.Plan(64 * MiB, new TransferOptions());
        Assert.Equal(8 * MiB, plan.PartSize);
        Assert.Equal(8, plan.PartCount);
        Assert.Equal(8, plan.Concurrency); // 25 wanted for 10 Gbps, but only 8 parts

        var big = PartPlanner.Plan(10L << 30, new TransferOptions());
        Assert.Equal(25, big.Concurrency); // ceil(10 / 0.4)
        Assert.Equal(1280, big.PartCount);
    }

    [Fact]
    public void Part_size_grows_so_no_object_needs_more_than_10000_parts()
    {
        long size = 1L << 40; // 1 TiB
        var plan = PartPlanner.Plan(size, new TransferOptions());
        Assert.True(plan.PartCount <= PartPlanner.MaximumPartCount);
        Assert.Equal(0, plan.PartSize % MiB);
        Assert.Equal(size, plan.OffsetOf(plan.PartCount - 1) + plan.LengthOf(plan.PartCount - 1));

        var max = PartPlanner.Plan(PartPlanner.MaximumObjectSize, new TransferOptions { MemoryBudget = 8L << 30 });
        Assert.True(max.PartCount <= PartPlanner.MaximumPartCount);
        Assert.True(max.PartSize <= PartPlanner.MaximumPartSize);
    }

    [Fact]
    public void Explicit_part_size_that_needs_too_many_parts_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PartPlanner.Plan(100L << 30, new TransferOptions { PartSize = 5 * MiB }));
        Assert.Contains("10000", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PartPlanner.Plan(PartPlanner.MaximumObjectSize + 1, new TransferOptions()));
    }

    [Fact]
    public void Concurrency_is_capped_by_the_memory_budget_and_overridable()
    {
        var options = new TransferOptions { MemoryBudget = 32 * MiB };
        Assert.Equal(4, PartPlanner.Plan(1L << 30, options).Concurrency);
        Assert.Equal(3, PartPlanner.Plan(1L << 30, new TransferOptions { Concurrency = 3 }).Concurrency);
        Assert.Equal(1, PartPlanner.Plan(0, new TransferOptions()).PartCount);
    }

    [Fact]
    public void Last_part_is_the_remainder()
    {
        var plan = PartPlanner.Plan(20 * MiB + 5, new TransferOptions());
        Assert.Equal(3, plan.PartCount);
        Assert.Equal(4 * MiB + 5, plan.LengthOf(2));
        Assert.Equal(16 * MiB, plan.OffsetOf(2));
    }
}
