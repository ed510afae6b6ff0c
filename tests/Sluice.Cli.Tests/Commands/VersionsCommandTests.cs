using System.Text.Json;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice versioning enable|suspend|get` and `sluice ls --versions` through the real executable against the embedded
/// server (disk store; <see cref="VersionsMemoryCommandTests"/>: memory store): two writes of a key are two versions,
/// newest first and latest, and a removal leaves a delete marker in front of them.
/// </summary>
public class VersionsCommandTests() : ServerCommandTests("AKIDVERS", "vers/secret", "versions")
{
    [Fact]
    public void Two_writes_of_a_key_are_listed_as_two_versions_and_a_removal_as_a_delete_marker()
    {
        Ok(Sluice("mb", "s3://twovers"));
        Ok(Sluice("versioning", "enable", "s3://twovers"));
        Assert.Equal("twovers: Enabled\n", Ok(Sluice("versioning", "get", "s3://twovers")).StdOut);
        Ok(Sluice("cp", NewFile("one.bin", 1111, 1), "s3://twovers/k.bin"));
        Ok(Sluice("cp", NewFile("two.bin", 2222, 2), "s3://twovers/k.bin"));

        var lines = Ok(Sluice("ls", "--versions", "--utc", "s3://twovers")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@" 2222 [0-9A-Za-z]{32} latest k\.bin$", lines[0]);
        Assert.Matches(@" 1111 [0-9A-Za-z]{32} +k\.bin$", lines[1]);

        Ok(Sluice("rm", "s3://twovers/k.bin"));
        var records = Ok(Sluice("ls", "--versions", "-r", "--json", "s3://twovers")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("type").GetString() == "version").ToList();
        Assert.Equal(3, records.Count);
        Assert.True(records[0].GetProperty("latest").GetBoolean());
        Assert.True(records[0].TryGetProperty("deleteMarker", out var marker) && marker.GetBoolean(), records[0].ToString());
        Assert.Equal([2222L, 1111L], records.Skip(1).Select(e => e.GetProperty("size").GetInt64()));
        Assert.All(records.Skip(1), e => Assert.False(e.GetProperty("latest").GetBoolean()));

        Ok(Sluice("versioning", "suspend", "s3://twovers"));
        Assert.Equal("twovers: Suspended\n", Ok(Sluice("versioning", "get", "s3://twovers")).StdOut);
    }
}
