using System.Text.Json;

namespace Sluice.Server.Tests.Compat;

/// <summary>
/// Object lock through Debian's python3-boto3 (Scripts/boto3_object_lock.py) against `sluice serve` on disk (and in
/// memory: <see cref="ObjectLockMemoryCompatTests"/>): create_bucket with ObjectLockEnabledForBucket, the lock
/// configuration, retention and legal hold calls, put_object's lock parameters, head_object's lock fields, and the
/// refusals (AccessDenied deletes, InvalidBucketState, MalformedXML, InvalidRetentionPeriod, InvalidRequest).
/// </summary>
public class ObjectLockCompatTests : IClassFixture<CompatServer>
{
    private static readonly string s_script = Path.Combine(AppContext.BaseDirectory, "Compat", "Scripts", "boto3_object_lock.py");
    private readonly CompatServer _s;

    public ObjectLockCompatTests(CompatServer server) => _s = server;

    private static (string, int) Error(JsonElement e) => (e[0].GetString()!, e[1].GetInt32());

    [ClientFact(S3Client.Boto3)]
    public async Task Boto3_sets_reads_and_is_refused_object_lock_as_on_S3()
    {
        var env = _s.AwsProfileEnvironment("boto-lock");
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        var r = JsonDocument.Parse((await _s.RunAsync(Clients.Python, [s_script, _s.Endpoint, "boto-lock"], env)).Ok().Stdout).RootElement;
        Assert.Equal("Enabled", r.GetProperty("versioning").GetString());
        Assert.Equal(("InvalidBucketState", 409), Error(r.GetProperty("suspend")));
        Assert.Equal(("MalformedXML", 400), Error(r.GetProperty("both")));
        Assert.Equal(("InvalidRetentionPeriod", 400), Error(r.GetProperty("zero")));
        Assert.Equal("GOVERNANCE", r.GetProperty("defaultMode").GetString());
        var until = DateTimeOffset.Parse(r.GetProperty("defaultUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(until, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        Assert.Equal(("AccessDenied", 403), Error(r.GetProperty("denied")));
        Assert.Equal(("AccessDenied", 403), Error(r.GetProperty("shorten")));
        string v1 = r.GetProperty("v1").GetString()!;
        var batch = r.GetProperty("batchErrors").EnumerateArray().Select(e => (e[0].GetString(), e[1].GetString(), e[2].GetString())).ToList();
        Assert.Equal([("k", v1, "AccessDenied")], batch);
        Assert.Equal(("COMPLIANCE", "2030-01-01T00:00:00+00:00", "ON"),
            (r.GetProperty("mode").GetString(), r.GetProperty("until").GetString(), r.GetProperty("legalHold").GetString()));
        Assert.Equal(("ON", "OFF"), (r.GetProperty("hold").GetString(), r.GetProperty("holdOff").GetString()));
        Assert.Equal(("AccessDenied", 403), Error(r.GetProperty("compliance")));
        Assert.Equal(("AccessDenied", 403), Error(r.GetProperty("toGovernance")));
        Assert.True(r.GetProperty("marker").GetBoolean());
        Assert.Equal(("ObjectLockConfigurationNotFoundError", 404), Error(r.GetProperty("noConfiguration")));
        Assert.Equal(("InvalidRequest", 400), Error(r.GetProperty("noLockPut")));
        Assert.Equal(("InvalidRequest", 400), Error(r.GetProperty("noLockRetention")));
    }
}

/// <summary><see cref="ObjectLockCompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class ObjectLockMemoryCompatTests : ObjectLockCompatTests, IClassFixture<MemoryCompatServer>
{
    public ObjectLockMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
