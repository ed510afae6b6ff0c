using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Versioning through awscli's `s3api` and boto3 against the disk store (and the memory store:
/// <see cref="VersioningMemoryCompatTests"/>): put-bucket-versioning, versioned put-object, list-object-versions across pages,
/// get-object --version-id, delete markers, delete-object --version-id, copies from a version, DeleteObjects with
/// version ids, suspension and MFA refused.
/// </summary>
public class VersioningCompatTests : AwsCliTestBase, IClassFixture<CompatServer>
{
    private static readonly string s_script = Path.Combine(AppContext.BaseDirectory, "Compat", "Scripts", "boto3_versioning.py");

    public VersioningCompatTests(CompatServer server) : base(server)
    {
    }

    [ClientFact(S3Client.AwsCli)]
    public async Task Awscli_s3api_versions_objects_and_lists_them()
    {
        const string b = "cli-versioned";
        (await Aws("s3api", "create-bucket", "--bucket", b)).Ok();
        (await Aws("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")).Ok();
        Assert.Equal("Enabled", (await AwsJson("s3api", "get-bucket-versioning", "--bucket", b)).GetProperty("Status").GetString());
        var (file1, _) = _s.RandomFile(1000, "first");
        var (file2, data2) = _s.RandomFile(2000, "second");
        string v1 = (await AwsJson("s3api", "put-object", "--bucket", b, "--key", "k", "--body", file1)).GetProperty("VersionId").GetString()!;
        string v2 = (await AwsJson("s3api", "put-object", "--bucket", b, "--key", "k", "--body", file2)).GetProperty("VersionId").GetString()!;
        Assert.NotEqual(v1, v2);

        // --page-size 1: awscli follows NextKeyMarker / NextVersionIdMarker version by version.
        var all = await AwsJson("s3api", "list-object-versions", "--bucket", b, "--page-size", "1");
        var versions = all.GetProperty("Versions").EnumerateArray().ToList();
        Assert.Equal([v2, v1], versions.Select(v => v.GetProperty("VersionId").GetString()));
        Assert.Equal([true, false], versions.Select(v => v.GetProperty("IsLatest").GetBoolean()));
        Assert.Equal([2000L, 1000L], versions.Select(v => v.GetProperty("Size").GetInt64()));

        string outFile = _s.NewPath("v1.out");
        var got = await AwsJson("s3api", "get-object", "--bucket", b, "--key", "k", "--version-id", v1, outFile);
        Assert.Equal(v1, got.GetProperty("VersionId").GetString());
        Assert.Equal(1000, new FileInfo(outFile).Length);

        var marker = await AwsJson("s3api", "delete-object", "--bucket", b, "--key", "k");
        Assert.True(marker.GetProperty("DeleteMarker").GetBoolean());
        var withMarker = await AwsJson("s3api", "list-object-versions", "--bucket", b);
        var markers = withMarker.GetProperty("DeleteMarkers").EnumerateArray().ToList();
        Assert.Single(markers);
        Assert.True(markers[0].GetProperty("IsLatest").GetBoolean());
        Assert.Contains("404", (await Aws("s3api", "head-object", "--bucket", b, "--key", "k")).Stderr, StringComparison.Ordinal);

        // Removing the marker by id undeletes v2.
        (await Aws("s3api", "delete-object", "--bucket", b, "--key", "k", "--version-id", marker.GetProperty("VersionId").GetString()!)).Ok();
        string current = _s.NewPath("current.out");
        (await Aws("s3api", "get-object", "--bucket", b, "--key", "k", current)).Ok();
        CompatServer.AssertFileEquals(data2, current);
        var deleted = await AwsJson("s3api", "delete-object", "--bucket", b, "--key", "k", "--version-id", v2);
        Assert.Equal(v2, deleted.GetProperty("VersionId").GetString());
        Assert.Equal(v1, (await AwsJson("s3api", "head-object", "--bucket", b, "--key", "k")).GetProperty("VersionId").GetString());
        var bad = await Aws("s3api", "get-object", "--bucket", b, "--key", "k", "--version-id", "nonsense", _s.NewPath("bad.out"));
        Assert.Contains("InvalidArgument", bad.Stderr, StringComparison.Ordinal);
    }

    [ClientFact(S3Client.Boto3)]
    public async Task Boto3_versions_objects_markers_copies_and_batch_deletes()
    {
        var env = _s.AwsProfileEnvironment("boto-versions");
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        var r = JsonDocument.Parse((await _s.RunAsync(Clients.Python, [s_script, _s.Endpoint], env)).Ok().Stdout).RootElement;
        string v1 = r.GetProperty("v1").GetString()!, v2 = r.GetProperty("v2").GetString()!, marker = r.GetProperty("marker").GetString()!;
        Assert.Equal("Enabled", r.GetProperty("status").GetString());
        Assert.Equal("NoSuchKey", r.GetProperty("missing")[0].GetString());
        var listed = r.GetProperty("listed").EnumerateArray().Select(e => (e[0].GetString(), e[2].GetString(), e[3].GetBoolean())).ToList();
        Assert.Equal(3, listed.Count);
        Assert.Contains(("DeleteMarker", marker, true), listed);
        Assert.Contains(("Version", v2, false), listed);
        Assert.Contains(("Version", v1, false), listed);
        Assert.Equal("two", r.GetProperty("afterUndelete").GetString());
        Assert.Equal(v1, r.GetProperty("copySourceVersion").GetString());
        Assert.Equal("one", r.GetProperty("restored").GetString());
        Assert.Equal(["", v2], r.GetProperty("batchDeleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(true, r.GetProperty("batchMarker").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.Equal("null", r.GetProperty("suspended").GetString());
        Assert.Equal("NotImplemented", r.GetProperty("mfa")[0].GetString());
    }
}
