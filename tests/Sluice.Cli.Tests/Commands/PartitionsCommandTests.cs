using System.Text.Json;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice partitions s3://bucket` through the real executable against the embedded server: the table, --json and
/// --watch views of the bucket's key-index partitions, and its refusals.
/// </summary>
public sealed class PartitionsCommandTests() : ServerCommandTests("AKIDPARTCLI", "part/cli+secret", "partcli")
{
    [Fact]
    public async Task Partitions_are_shown_as_a_table_as_json_and_watched()
    {
        Ok(Sluice("mb", "s3://partcli"));
        string file = NewFile("small", 100, 1);
        foreach (string key in new[] { "a/1", "b/2", "c/3", "d/4" }) Ok(Sluice("cp", file, "s3://partcli/" + key));
        Assert.True(await Server.SplitPartitionAsync("partcli", "a/1")); // at the middle key: c/3

        string table = Ok(Sluice("partitions", "s3://partcli")).StdOut;
        string[] lines = table.TrimEnd('\n').Split('\n');
        Assert.Equal("s3://partcli: 2 partitions, 4 keys; no S3 limits emulation", lines[0]);
        Assert.Matches(@"^LOW\s+HIGH\s+KEYS\s+READS/S\s+WRITES/S\s+THROTTLED\s+THROTTLED/S$", lines[1]);
        Assert.Matches(@"^\(start\)\s+c/3\s+2\s+\d+\.\d\s+\d+\.\d\s+0\s+0\.0$", lines[2]);
        Assert.Matches(@"^c/3\s+\(end\)\s+2\s+\d+\.\d\s+\d+\.\d\s+0\s+0\.0$", lines[3]);
        Assert.Equal(4, lines.Length);

        using (var json = JsonDocument.Parse(Ok(Sluice("partitions", "--json", "s3://partcli")).StdOut))
        {
            var root = json.RootElement;
            Assert.Equal("partcli", root.GetProperty("bucket").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("emulation").ValueKind);
            var partitions = root.GetProperty("partitions").EnumerateArray().ToList();
            Assert.Equal(["", "c/3"], partitions.Select(p => p.GetProperty("low").GetString()));
            Assert.Equal(4, partitions.Sum(p => p.GetProperty("writes").GetInt64()));
        }

        string watched = Ok(Sluice("partitions", "s3://partcli", "--watch", "--interval", "0.1", "--count", "3")).StdOut;
        Assert.Equal(3, watched.Split('\n').Count(l => l.StartsWith("s3://partcli: 2 partitions", StringComparison.Ordinal)));

        OneLineError(Sluice("partitions", "s3://nosuch-partcli"), 1, "NoSuchBucket");
        OneLineError(Sluice("partitions", "s3://partcli/a/1"), 2, "is not s3://bucket");
        Assert.Equal(2, Sluice("partitions", "s3://partcli", "--count", "2").ExitCode);
        Assert.Equal(2, Sluice("partitions", "s3://partcli", "--watch", "--interval", "0").ExitCode);
    }
}
