using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class OpMixTests
{
    [Fact]
    public void A_mix_parses_and_picks_each_operation_in_its_share()
    {
        Assert.True(OpMix.TryParse("get=60, put=25,head=10,delete=5", out var mix, out string? error), error);
        Assert.Equal([OpKind.Get, OpKind.Put, OpKind.Head, OpKind.Delete], mix!.Kinds);
        Assert.Equal("get=60,put=25,head=10,delete=5", mix.ToString());
        var random = new Random(99);
        var counts = new int[OpKinds.All.Count];
        const int N = 200_000;
        for (int i = 0; i < N; i++) counts[(int)mix.Pick(random)]++;
        // 200,000 draws: each share is within half a percentage point of its weight (seeded, so always the same draws).
        Assert.InRange(counts[(int)OpKind.Get] / (double)N, 0.595, 0.605);
        Assert.InRange(counts[(int)OpKind.Put] / (double)N, 0.245, 0.255);
        Assert.InRange(counts[(int)OpKind.Head] / (double)N, 0.095, 0.105);
        Assert.InRange(counts[(int)OpKind.Delete] / (double)N, 0.045, 0.055);
        Assert.Equal(0, counts[(int)OpKind.List] + counts[(int)OpKind.Multipart]);
        Assert.Equal(OpKind.Head, OpMix.Only(OpKind.Head).Pick(random));
        Assert.True(OpMix.TryParse("stat=1,list=0.5", out var stat, out _));
        Assert.Equal([OpKind.Head, OpKind.List], stat!.Kinds);
        Assert.True(OpMix.TryParse("delete=1", out _, out _)); // the delete workload: until its objects run out
    }

    [Theory]
    [InlineData("")]
    [InlineData("get")]
    [InlineData("teleport=5")]
    [InlineData("get=-1")]
    [InlineData("get=lots")]
    [InlineData("get=0,put=0")]
    [InlineData("get=1,get=2")]
    [InlineData("get=50,delete=10")]
    [InlineData("get=50,put=5,delete=10")]
    public void Bad_mixes_are_refused_with_a_reason(string text)
    {
        Assert.False(OpMix.TryParse(text, out var mix, out string? error));
        Assert.Null(mix);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
