using System.Net;
using System.Text.RegularExpressions;
using Sluice.S3.Naming;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice bench --keys</c> names objects with KeyNaming: checked on the keys the server's access log saw.</summary>
public sealed class BenchKeyNamingTests
{
    private static async Task<List<string>> PutKeysAsync(string keys)
    {
        string data = Path.Combine(Path.GetTempPath(), "sluice-bench-keys-" + Guid.NewGuid().ToString("N"));
        var log = new StringWriter();
        var server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = data,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { ["AKIDBENCHKEYS"] = "bench/keys" },
            Reactors = 1,
            AccessLog = TextWriter.Synchronized(log),
        });
        try
        {
            var env = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = "AKIDBENCHKEYS", ["AWS_SECRET_ACCESS_KEY"] = "bench/keys",
                ["AWS_ENDPOINT_URL"] = null, ["AWS_PROFILE"] = null,
            };
            var run = SluiceProcess.Run(env, null, "bench", "--endpoint", server.Endpoint.ToString(), "-w", "put", "-s", "1KiB",
                "-c", "2", "--count", "30", "--quiet", "--keys", keys);
            Assert.True(run.ExitCode == 0, run.StdErr);
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(data, recursive: true);
        }

        // Fields: time, request id, principal, operation, bucket, key, status, ...
        return log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))
            .Where(f => f.Length > 6 && f[3] == "PutObject" && f[6] == "200").Select(f => Uri.UnescapeDataString(f[5])).ToList();
    }

    [Fact]
    public async Task Hashed_keys_carry_their_own_md5_prefix_of_the_asked_length()
    {
        var keys = await PutKeysAsync("hashed:2");
        Assert.True(keys.Count >= 30, $"{keys.Count} puts");
        foreach (string key in keys)
        {
            var m = Regex.Match(key, @"([0-9a-f]{2}/obj-\d{10})$");
            Assert.True(m.Success, key);
            Assert.True(KeyNaming.TryStripHashPrefix(m.Value, 2, HashPrefixEncoding.Hex, out string? inner), key);
            Assert.StartsWith("obj-", inner);
        }

        // The prefixes spread: 30 keys do not share one.
        Assert.True(keys.Select(k => Regex.Match(k, @"([0-9a-f]{2})/obj-").Groups[1].Value).Distinct().Count() > 5);
    }

    [Fact]
    public async Task Reversed_keys_are_the_ids_digits_reversed()
    {
        var keys = await PutKeysAsync("reversed");
        Assert.True(keys.Count >= 30, $"{keys.Count} puts");
        foreach (string key in keys)
        {
            var m = Regex.Match(key, @"obj-(\d{10})$");
            Assert.True(m.Success, key);
            // Read back as a reversed id, each is a small object number (sequential digits would read as billions).
            Assert.True(KeyNaming.TryParseReversedId(m.Groups[1].Value, out ulong id));
            Assert.True(id < 100_000, key);
            Assert.Equal(m.Groups[1].Value, KeyNaming.ReverseId(id, 10));
        }
    }

    [Theory]
    [InlineData("hashed:0")]
    [InlineData("hashed:33")]
    [InlineData("hashed:x")]
    [InlineData("scrambled")]
    public void Bad_key_schemes_are_usage_errors(string keys)
    {
        var r = SluiceProcess.Run("bench", "--endpoint", "http://127.0.0.1:9", "--keys", keys, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--keys", r.StdErr);
    }
}
