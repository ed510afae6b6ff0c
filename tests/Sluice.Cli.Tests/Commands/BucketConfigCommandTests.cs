using System.Text.Json;
using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice versioning get|enable|suspend` and `sluice lifecycle get|set|rm` through the real executable: against the
/// embedded server (versioning never enabled, then enabled and suspended; lifecycle rules set, read back, refused
/// when invalid, removed) and against the real RADOS Gateway.
/// </summary>
public sealed class BucketConfigCommandTests() : ServerCommandTests("AKIDCONF", "conf/secret", "bucketconf")
{
    [Fact]
    public void Versioning_is_shown_enabled_and_suspended()
    {
        Ok(Sluice("mb", "s3://vconf"));
        Assert.Equal("vconf: never enabled\n", Ok(Sluice("versioning", "get", "s3://vconf")).StdOut);
        var json = JsonDocument.Parse(Ok(Sluice("versioning", "get", "--json", "s3://vconf")).StdOut.Split('\n')[0]).RootElement;
        Assert.Equal("versioning", json.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("status").ValueKind);
        Ok(Sluice("versioning", "enable", "s3://vconf"));
        Assert.Equal("vconf: Enabled\n", Ok(Sluice("versioning", "get", "s3://vconf")).StdOut);
        Ok(Sluice("versioning", "suspend", "s3://vconf"));
        Assert.Equal("vconf: Suspended\n", Ok(Sluice("versioning", "get", "s3://vconf")).StdOut);
        OneLineError(Sluice("versioning", "get", "s3://vconf/key"), 2, "names an object");
    }

    [Fact]
    public void Ls_versions_lists_each_object_as_its_null_version()
    {
        Ok(Sluice("mb", "s3://lsvers"));
        string file = NewFile("v.bin", 1234, 1);
        Ok(Sluice("cp", file, "s3://lsvers/a/one.bin"));
        Ok(Sluice("cp", file, "s3://lsvers/top.bin"));
        var level = Ok(Sluice("ls", "--versions", "--utc", "s3://lsvers")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, level.Length);
        Assert.EndsWith("PRE a/", level[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 +1234 null latest top\.bin$", level[1]);
        var all = Ok(Sluice("ls", "--versions", "-r", "--json", "s3://lsvers")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("type").GetString() == "version").ToList();
        Assert.Equal(["a/one.bin", "top.bin"], all.Select(e => e.GetProperty("key").GetString()));
        Assert.All(all, e => Assert.True(e.GetProperty("latest").GetBoolean() && e.GetProperty("versionId").GetString() == "null"));
        OneLineError(Sluice("ls", "--versions", "s3://lsvers/nothing-here"), 1, "nothing matches");
        OneLineError(Sluice("ls", "--versions", "--incomplete", "s3://lsvers"), 2, "--versions and --incomplete");
    }

    [Fact]
    public void Lifecycle_rules_are_set_read_refused_when_invalid_and_removed()
    {
        Ok(Sluice("mb", "s3://lconf"));
        OneLineError(Sluice("lifecycle", "get", "s3://lconf"), 1, "no lifecycle configuration");
        string rules = Local("rules.xml");
        File.WriteAllText(rules, "<LifecycleConfiguration><Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>" +
            "<Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>");
        Assert.Contains("1 rule(s) set", Ok(Sluice("lifecycle", "set", "s3://lconf", rules)).StdOut + Ok(Sluice("lifecycle", "set", "s3://lconf", rules)).StdErr);
        string got = Ok(Sluice("lifecycle", "get", "s3://lconf")).StdOut;
        Assert.Contains("<Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule>", got);

        string bad = Local("bad.xml");
        File.WriteAllText(bad, "<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule></LifecycleConfiguration>");
        OneLineError(Sluice("lifecycle", "set", "s3://lconf", bad), 2, "positive integer");
        File.WriteAllText(bad, "not xml");
        OneLineError(Sluice("lifecycle", "set", "s3://lconf", bad), 2, "not a LifecycleConfiguration");
        OneLineError(Sluice("lifecycle", "set", "s3://lconf", Local("missing.xml")), 2, "missing.xml");
        string transition = Local("transition.xml");
        File.WriteAllText(transition, "<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Transition><Days>30</Days>" +
            "<StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>");
        OneLineError(Sluice("lifecycle", "set", "s3://lconf", transition), 1, "NotImplemented");
        Assert.Contains("<ID>tmp</ID>", Ok(Sluice("lifecycle", "get", "s3://lconf")).StdOut); // unchanged by the refusals

        Ok(Sluice("lifecycle", "rm", "s3://lconf"));
        OneLineError(Sluice("lifecycle", "get", "s3://lconf"), 1, "no lifecycle configuration");
    }
}
