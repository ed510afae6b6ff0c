namespace Sluice.Server.Tests.Compat;

/// <summary>
/// s3cmd against the in-process server: <c>setacl --acl-public / --acl-private</c> (which reads the ACL, edits it and
/// puts the whole AccessControlPolicy back) and <c>info</c>, checked by unsigned requests. Skips when s3cmd is missing.
/// </summary>
public class S3cmdAclCompatTests : IClassFixture<CompatServer>
{
    private readonly CompatServer _s;
    private readonly string _config;

    public S3cmdAclCompatTests(CompatServer server)
    {
        _s = server;
        _config = Path.Combine(_s.WorkDirectory, "s3cmd-acl.cfg");
        File.WriteAllText(_config, $"""
            [default]
            access_key = {CompatServer.AccessKey}
            secret_key = {CompatServer.Secret}
            host_base = {_s.HostPort}
            host_bucket = {_s.HostPort}
            bucket_location = {CompatServer.Region}
            use_https = False
            signature_v2 = False
            progress_meter = False

            """);
    }

    private Task<ProcessResult> S3cmd(params string[] args) => _s.RunAsync(Clients.S3cmd, ["-c", _config, .. args]);

    [ClientFact(S3Client.S3cmd)]
    public async Task Setacl_makes_objects_public_and_private_again()
    {
        (await S3cmd("mb", "s3://s3cmd-acl")).Ok();
        var (file, data) = _s.RandomFile(100);
        (await S3cmd("put", file, "s3://s3cmd-acl/x")).Ok();
        string url = _s.Endpoint + "/s3cmd-acl/x";
        Assert.Equal(403, (await CompatServer.HttpAsync(HttpMethod.Get, url)).Status);

        (await S3cmd("setacl", "--acl-public", "s3://s3cmd-acl/x")).Ok();
        var open = await CompatServer.HttpAsync(HttpMethod.Get, url);
        Assert.Equal(200, open.Status);
        Assert.Equal(data, open.Body);
        var info = (await S3cmd("info", "s3://s3cmd-acl/x")).Ok();
        Assert.Contains("*anon*: READ", info.Stdout, StringComparison.Ordinal);

        (await S3cmd("setacl", "--acl-private", "s3://s3cmd-acl/x")).Ok();
        Assert.Equal(403, (await CompatServer.HttpAsync(HttpMethod.Get, url)).Status);
        (await S3cmd("setacl", "--acl-public", "s3://s3cmd-acl")).Ok();
        Assert.Equal(200, (await CompatServer.HttpAsync(HttpMethod.Get, _s.Endpoint + "/s3cmd-acl?list-type=2")).Status);
        (await S3cmd("del", "s3://s3cmd-acl/x")).Ok();
        (await S3cmd("rb", "s3://s3cmd-acl")).Ok();
    }
}
