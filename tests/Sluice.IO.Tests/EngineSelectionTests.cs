namespace Sluice.IO.Tests;

public class EngineSelectionTests
{
    [Fact]
    public async Task Managed_mode_gives_the_managed_engine()
    {
        await using var e = IoEngine.Create(new IoEngineOptions { Mode = "managed", ReactorCount = 1 });
        Assert.Equal("managed", e.Name);
        Assert.Contains("forced", e.Description);
    }

    [Fact]
    public async Task Uring_mode_gives_io_uring_with_the_best_flags_this_kernel_has()
    {
        await using var e = IoEngine.Create(new IoEngineOptions { Mode = "uring", ReactorCount = 2 });
        Assert.Equal("io_uring", e.Name);
        Assert.Equal(2, e.ReactorCount);
        Assert.Contains("setup", e.Description);
        if (Environment.OSVersion.Version >= new Version(6, 1)) Assert.Contains("DEFER_TASKRUN", e.Description);
    }

    [Fact]
    public async Task Auto_prefers_io_uring_and_logs_nothing_when_it_works()
    {
        var lines = new List<string>();
        await using var e = IoEngine.Create(new IoEngineOptions { Mode = "auto", ReactorCount = 1 }, lines.Add);
        Assert.Equal("io_uring", e.Name);
        Assert.Empty(lines);
    }

    [Fact]
    public void Unknown_mode_is_rejected_with_a_clear_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => IoEngine.Create(new IoEngineOptions { Mode = "epoll" }));
        Assert.Contains("SLUICE_IO", ex.Message);
    }

    [Fact]
    public void Setup_flag_sets_go_from_best_to_plain()
    {
        var sets = Uring.IoUring.SetupFlagSets;
        Assert.Contains("DEFER_TASKRUN", sets[0].Name);
        Assert.Equal("plain", sets[^1].Name);
    }
}
