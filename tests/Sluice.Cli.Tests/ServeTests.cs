using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sluice.S3.Auth;

namespace Sluice.Cli.Tests;

/// <summary>`sluice serve` as a real process: announces its endpoint, answers signed requests, stops on SIGTERM.</summary>
public class ServeTests
{
    private const string AccessKey = "AKIDCLISERVE", Secret = "cli/serve+secret";

    [Fact]
    public async Task Serve_answers_signed_requests_and_exits_zero_on_sigterm()
    {
        await ServeAsync(["--access-key", AccessKey, "--secret-key", Secret], async (endpoint, line, data) =>
        {
            Assert.Contains("credentials from options", line);
            using var http = new HttpClient();
            Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Put, "/served", AccessKey, Secret)).StatusCode);
            using var list = await SendAsync(http, endpoint, HttpMethod.Get, "/", AccessKey, Secret);
            Assert.Equal(200, (int)list.StatusCode);
            Assert.Contains("<Name>served</Name>", await list.Content.ReadAsStringAsync());
            using var unsigned = await http.GetAsync(endpoint);
            Assert.Equal(403, (int)unsigned.StatusCode);
            return () => Assert.True(Directory.Exists(Path.Combine(data, "served")));
        });
    }

    [Fact]
    public async Task Serve_takes_every_pair_of_a_credentials_file()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, $"# test keys\n{AccessKey} {Secret}\n\nAKIDSECOND   second/secret\n");
        try
        {
            await ServeAsync(["--credentials", file], async (endpoint, line, _) =>
            {
                using var http = new HttpClient();
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/", AccessKey, Secret)).StatusCode);
                Assert.Equal(200, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/", "AKIDSECOND", "second/secret")).StatusCode);
                Assert.Equal(403, (int)(await SendAsync(http, endpoint, HttpMethod.Get, "/", "AKIDSECOND", "wrong")).StatusCode);
                return () => { };
            });
            await File.WriteAllTextAsync(file, "only-one-field\n");
            var bad = SluiceProcess.Run("serve", "--data", Path.Combine(Path.GetTempPath(), "unused"), "--credentials", file);
            Assert.Equal(Program.ExitFailure, bad.ExitCode);
            Assert.Matches("^sluice: --credentials: .*:1: expected 'ACCESS_KEY SECRET_KEY'$", bad.StdErr.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs `sluice serve` on a free port with <paramref name="extra"/> arguments, hands the announced endpoint
    /// to <paramref name="use"/>, then stops it with SIGTERM and checks a clean exit 0 before the returned check.</summary>
    private static async Task ServeAsync(string[] extra, Func<Uri, string, string, Task<Action>> use)
    {
        string data = Path.Combine(Path.GetTempPath(), "sluice-serve-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "serve", "--data", data,
                     "--listen", "127.0.0.1:0", "--reactors", "2" }.Concat(extra))
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            var match = Regex.Match(line, @"serving S3 at (http://127\.0\.0\.1:(\d+))/?");
            Assert.True(match.Success, line);
            var check = await use(new Uri(match.Groups[1].Value), line, data);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Equal("", await stderr);
            check();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("serve", "--data", "/tmp/x", "--listen", "not-an-endpoint")]
    [InlineData("serve", "--data", "/tmp/x", "--access-key", "only-the-key")]
    [InlineData("serve", "--data", "/tmp/x", "--access-key", "k", "--secret-key", "s", "--credentials", "/tmp/f")]
    public void Bad_serve_arguments_are_usage_errors(params string[] args)
    {
        var r = SluiceProcess.Run(args);
        Assert.Equal(Program.ExitUsage, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, Uri endpoint, HttpMethod method, string path,
        string accessKey, string secret)
    {
        var headers = new SigV4HeaderList();
        headers.Add("Host", $"{endpoint.Host}:{endpoint.Port}");
        new SigV4Signer(accessKey, secret, "us-east-1").SignHeaders(headers, method.Method, path, null,
            Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty)), DateTimeOffset.UtcNow);
        var request = new HttpRequestMessage(method, new Uri(endpoint, path));
        for (int i = 0; i < headers.Count; i++)
        {
            if (headers.GetNameString(i).Equals("host", StringComparison.OrdinalIgnoreCase)) continue;
            request.Headers.TryAddWithoutValidation(headers.GetNameString(i), headers.GetValueString(i));
        }
        return http.SendAsync(request);
    }
}
