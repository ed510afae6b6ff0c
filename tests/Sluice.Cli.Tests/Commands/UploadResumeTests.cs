using System.Diagnostics;
using System.Net;
using Sluice.Client;
using Sluice.Client.Model;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// Ctrl-C during a multipart upload: a real `sluice cp` process is sent SIGINT while a proxy holds its 4th part, and the
/// rerun of the same command continues the upload (the server sees only the missing parts) to a byte-exact object;
/// --no-resume starts over and leaves no upload behind.
/// </summary>
public sealed class UploadResumeTests() : ServerCommandTests("AKIDRESUME", "resume/secret", "resume")
{
    private const int Parts = 6;

    private IPEndPoint Upstream => new(IPAddress.Loopback, Server.Endpoint.Port);

    private Dictionary<string, string?> Through(PartGateProxy proxy)
    {
        var environment = Environment();
        environment["AWS_ENDPOINT_URL"] = proxy.Endpoint.ToString();
        return environment;
    }

    /// <summary>Starts `sluice cp`, waits until the proxy holds a part, sends SIGINT and waits for the exit.</summary>
    private async Task<SluiceProcess.Result> InterruptAsync(PartGateProxy proxy, params string[] args)
    {
        // env(1) restores SIGINT's default before exec'ing dotnet: a test host started in the background by a
        // non-interactive shell inherits SIGINT ignored, and an ignored signal stays ignored across exec.
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in Through(proxy)) if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sluice.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10)); // hang guard only
        var exited = p.WaitForExitAsync(guard.Token);
        await Task.WhenAny(proxy.Held.Task, exited);
        if (!proxy.Held.Task.IsCompleted) Assert.Fail($"sluice exited before its part was held: {await stderr}");
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            await kill.WaitForExitAsync(guard.Token);
        await exited;
        return new SluiceProcess.Result(p.ExitCode, await stdout, await stderr);
    }

    private async Task<List<string>> UploadsOfAsync(string bucket, string key)
    {
        await using var client = new S3Client(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret });
        var ids = new List<string>();
        await foreach (var u in client.ListMultipartUploadsAsync(bucket, key)) if (u.Key == key) ids.Add(u.UploadId);
        return ids;
    }

    [Fact]
    public async Task A_rerun_after_ctrl_c_resumes_the_upload_and_no_resume_starts_over()
    {
        Ok(Sluice("mb", "s3://resume"));
        string file = Path.Combine(Root, "big.bin");
        var bytes = new byte[Parts * (5 << 20)];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        string[] cp = ["cp", "--part-size", "5MiB", "--concurrency", "1", file, "s3://resume/big.bin"];

        await using (var first = new PartGateProxy(Upstream, holdFrom: 4))
        {
            var interrupted = await InterruptAsync(first, cp);
            Assert.NotEqual(0, interrupted.ExitCode);
            // The one-line explanation, unless the parser's 2 s termination grace ran out first (exit 130).
            if (interrupted.ExitCode == 1) Assert.Contains("run the same command again to resume it", interrupted.StdErr);
            Assert.Equal(3, first.PartsRelayed);
        }
        Assert.Single(await UploadsOfAsync("resume", "big.bin"));

        await using (var rerun = new PartGateProxy(Upstream))
        {
            var done = Ok(SluiceProcess.Run(Through(rerun), null, cp));
            Assert.Contains($"(resumed: 3 of {Parts} parts were already uploaded)", done.StdOut);
            Assert.Equal(Parts - 3, rerun.PartsRelayed);
        }
        Assert.Empty(await UploadsOfAsync("resume", "big.bin"));
        string back = Path.Combine(Root, "back.bin");
        Ok(Sluice("cp", "s3://resume/big.bin", back));
        byte[] stored = await File.ReadAllBytesAsync(back);
        Assert.True(bytes.AsSpan().SequenceEqual(stored), "the resumed object differs from the file");

        // Interrupted again, then --no-resume: every part is sent anew and the interrupted upload is aborted.
        await using (var second = new PartGateProxy(Upstream, holdFrom: 2))
            Assert.NotEqual(0, (await InterruptAsync(second, cp)).ExitCode);
        Assert.Single(await UploadsOfAsync("resume", "big.bin"));
        await using (var fresh = new PartGateProxy(Upstream))
        {
            var done = Ok(SluiceProcess.Run(Through(fresh), null, [.. cp, "--no-resume"]));
            Assert.DoesNotContain("resumed", done.StdOut);
            Assert.Equal(Parts, fresh.PartsRelayed);
        }
        Assert.Empty(await UploadsOfAsync("resume", "big.bin"));
    }

    [Fact]
    public async Task No_resume_aborts_an_earlier_upload_of_the_key_even_when_the_file_is_now_small()
    {
        Ok(Sluice("mb", "s3://resume-small"));
        await using (var client = new S3Client(new S3ClientOptions { Endpoint = Server.Endpoint, AccessKeyId = AccessKey, SecretAccessKey = Secret }))
            await client.CreateMultipartUploadAsync(new PutObjectRequest("resume-small", "small.bin"));
        Assert.Single(await UploadsOfAsync("resume-small", "small.bin"));

        string small = NewFile("small.bin", 1000, 7);
        Ok(Sluice("cp", "--no-resume", small, "s3://resume-small/small.bin"));
        Assert.Empty(await UploadsOfAsync("resume-small", "small.bin"));
    }
}
