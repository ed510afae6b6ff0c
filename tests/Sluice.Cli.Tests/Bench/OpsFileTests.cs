using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class OpsFileTests
{
    [Theory]
    [InlineData("ops.csv")]
    [InlineData("ops.csv.gz")]
    public void Records_and_the_run_survive_a_round_trip(string name)
    {
        var report = HtmlReportTests.SampleReport("mixed 4KiB", "put 4KiB");
        var records = new List<IReadOnlyList<OpRecord>>
        {
            new[] { JobStatsTests.Op(OpKind.Get, 1, 2), JobStatsTests.Op(OpKind.Delete, 3, 4, error: "NoSuchKey, or, commas\n") },
            new[] { new OpRecord(OpKind.Multipart, 2, 7, 10, 20, -1, 64 << 20, 64 << 20, null) },
        };
        string path = Path.Combine(Path.GetTempPath(), $"sluice-ops-{Guid.NewGuid():N}-{name}");
        try
        {
            OpsFile.Save(path, report, records);
            var (loaded, back) = OpsFile.Load(path);
            Assert.Equal(report.Results.Select(r => r.Name), loaded.Results.Select(r => r.Name));
            Assert.Equal(report.Config.Machine, loaded.Config.Machine);
            Assert.Equal(2, back.Length);
            Assert.Equal(records[0][0], back[0][0]);
            Assert.Equal("NoSuchKey; or; commas ", back[0][1].Error);
            Assert.Equal(records[1][0], back[1][0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Something_else_is_refused_naming_the_line()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "job,op\n1,2\n");
            Assert.Contains("not a sluice bench ops file", Assert.Throws<InvalidDataException>(() => OpsFile.Load(path)).Message);
            var report = HtmlReportTests.SampleReport("get 4KiB");
            OpsFile.Save(path, report, [new[] { JobStatsTests.Op(OpKind.Get, 1, 2) }]);
            File.AppendAllText(path, "0,get,0,0,zero,1,1,1,1,\n");
            Assert.Contains("line 5", Assert.Throws<InvalidDataException>(() => OpsFile.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
