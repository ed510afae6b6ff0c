using System.Diagnostics;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Testing;

namespace Sluice.Server.Tests.Testing;

/// <summary>
/// One <see cref="SluiceTestServer"/> shared by a test class, the way a project's own tests would use it
/// (docs/server.md, "Memory store": this fixture is the example there).
/// </summary>
public sealed class S3Fixture : IAsyncLifetime
{
    public SluiceTestServer S3 { get; private set; } = null!;

    public async Task InitializeAsync() => S3 = await SluiceTestServer.StartAsync();

    public async Task DisposeAsync() => await S3.DisposeAsync();
}

/// <summary>Sluice.Testing: an in-memory S3 with credentials of its own, reached by Sluice's client, raw HTTP and awscli.</summary>
public sealed class SluiceTestServerTests(S3Fixture fixture) : IClassFixture<S3Fixture>
{
    private readonly SluiceTestServer _s3 = fixture.S3;

    [Fact]
    public async Task Objects_go_in_and_out_through_the_client_it_makes_and_nothing_touches_the_disk()
    {
        Assert.Null(_s3.Server.Store);
        Assert.StartsWith("http://127.0.0.1:", _s3.Endpoint.ToString(), StringComparison.Ordinal);
        await using var client = _s3.CreateClient();
        await client.CreateBucketAsync("fixture-objects");
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000);
        await client.PutObjectAsync(new PutObjectRequest("fixture-objects", "k"), body);
        Assert.Equal(body, await client.GetObjectBytesAsync("fixture-objects", "k"));
        Assert.True(_s3.MemoryUsed >= body.Length);
        await client.DeleteObjectAsync("fixture-objects", "k");
        await client.DeleteBucketAsync("fixture-objects");
    }

    [Fact]
    public async Task Another_key_is_refused_and_each_server_has_its_own()
    {
        await using var other = await SluiceTestServer.StartAsync(memoryLimit: 1 << 20);
        Assert.NotEqual(_s3.AccessKey, other.AccessKey);
        await using var wrong = new S3Client(new S3ClientOptions
        {
            Endpoint = _s3.Endpoint,
            AccessKeyId = other.AccessKey,
            SecretAccessKey = other.SecretKey,
            ForcePathStyle = true,
        });
        var e = await Assert.ThrowsAsync<S3Exception>(() => wrong.ListBucketsAsync());
        Assert.Equal("InvalidAccessKeyId", e.Code);
    }

    [Compat.ClientFact(Compat.S3Client.AwsCli)]
    public async Task The_aws_cli_reaches_it_with_its_credentials_from_the_environment()
    {
        var psi = new ProcessStartInfo(Compat.Clients.Aws) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in _s3.Environment) psi.Environment[name] = value;
        psi.Environment["AWS_CONFIG_FILE"] = "/nonexistent";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent";
        // Debian's awscli 2.9 predates AWS_ENDPOINT_URL (2.13): the endpoint goes on the command line, so it never
        // looks for the real AWS.
        foreach (string a in new[] { "--endpoint-url", _s3.Endpoint.ToString(), "s3", "mb", "s3://fixture-cli" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, stderr);
        await using var client = _s3.CreateClient();
        Assert.Contains((await client.ListBucketsAsync()).Buckets, b => b.Name == "fixture-cli");
        await client.DeleteBucketAsync("fixture-cli");
    }
}
