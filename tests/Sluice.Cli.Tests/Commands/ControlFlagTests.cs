using System.Net;
using Sluice.Client.Tests.Faults;
using Sluice.Server;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// The flags every client command shares for how it connects and how fast it may go: --bwlimit and --tpslimit (the
/// limiter's arithmetic is checked on a fake clock in TokenBucketLimiterTests; here, that the commands take them and
/// still move the right bytes), --retries / AWS_MAX_ATTEMPTS and --read-timeout through a faulty proxy, --addressing
/// (and the profile's s3 addressing_style) by the request lines a proxy sees, --ca-bundle / --no-verify-ssl against
/// a TLS server, and --no-progress in a pseudo-terminal.
/// </summary>
public sealed class ControlFlagTests() : ServerCommandTests("AKIDCLICTL", "cli/ctl+secret", "ctl")
{
    private Dictionary<string, string?> Through(Uri endpoint, params (string Name, string Value)[] extra)
    {
        var env = Environment();
        env["AWS_ENDPOINT_URL"] = endpoint.ToString();
        foreach (var (name, value) in extra) env[name] = value;
        return env;
    }

    [Fact]
    public void Bandwidth_and_request_limits_are_taken_and_the_bytes_still_arrive_whole()
    {
        Ok(Sluice("mb", "s3://limits"));
        string big = NewFile("big.bin", 6 << 20, 1);
        Ok(Sluice("cp", "--bwlimit", "8M", "--tpslimit", "50", big, "s3://limits/big.bin"));
        Ok(Sluice("cp", "--bwlimit", "8MiB", "s3://limits/big.bin", Local("back.bin")));
        Assert.Equal(File.ReadAllBytes(big), File.ReadAllBytes(Local("back.bin")));
        for (int i = 0; i < 4; i++) NewFile($"many/f{i}", 1000, i);
        var many = Ok(Sluice("sync", "--tpslimit", "20", "--bwlimit", "1M", Local("many"), "s3://limits/many/"));
        Assert.Equal(4, many.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("f3", Ok(Sluice("ls", "--tpslimit", "5", "s3://limits/many/")).StdOut);

        OneLineError(Sluice("cp", "--bwlimit", "fast", big, "s3://limits/x"), 2, "^sluice: --bwlimit: 'fast' is not a rate such as 10M");
        OneLineError(Sluice("ls", "--tpslimit", "0", "s3://limits"), 2, "^sluice: --tpslimit must be a positive number");
        OneLineError(Sluice("ls", "--connect-timeout", "soon", "s3://limits"), 2, "^sluice: --connect-timeout: 'soon' is not a duration");
        OneLineError(Sluice("ls", "--retries", "-1", "s3://limits"), 2, "^sluice: --retries must be from 0 to 100$");
    }

    [Fact]
    public async Task Retries_and_read_timeout_decide_what_a_fault_costs()
    {
        Ok(Sluice("mb", "s3://retry"));
        // The first connection (number 0) answers 503 SlowDown: retried by default, fatal with --retries 0 or AWS_MAX_ATTEMPTS=1.
        foreach (var (args, env, exit) in new[]
                 {
                     (new[] { "ls", "s3://retry" }, Array.Empty<(string, string)>(), 0),
                     (["ls", "--retries", "0", "s3://retry"], [], 1),
                     (["ls", "s3://retry"], [("AWS_MAX_ATTEMPTS", "1")], 1),
                     (["ls", "--retries", "2", "s3://retry"], [("AWS_MAX_ATTEMPTS", "1")], 0), // the flag over the environment
                 })
        {
            await using var proxy = new FaultProxy(Server.LocalEndPoint, n => n == 0 ? new Fault(FaultKind.Respond) : Fault.None);
            var r = SluiceProcess.Run(Through(proxy.Endpoint, env), null, args);
            Assert.True(r.ExitCode == exit, $"{string.Join(' ', args)} {string.Join(' ', env)}: exit {r.ExitCode}: {r.StdErr}");
            if (exit == 1) Assert.Contains("SlowDown", r.StdErr);
        }

        // A server that never answers: --read-timeout bounds the wait for the first byte.
        await using (var stall = new FaultProxy(Server.LocalEndPoint, _ => new Fault(FaultKind.Stall)))
        {
            var r = SluiceProcess.Run(Through(stall.Endpoint), null, "ls", "--read-timeout", "500ms", "--retries", "0", "s3://retry");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("No response within the first-byte timeout of 0.5 s", r.StdErr);
        }
    }

    [Fact]
    public async Task A_throttled_copy_says_so_in_its_summary()
    {
        Ok(Sluice("mb", "s3://thr"));
        string file = NewFile("t.bin", 5000, 3);
        // Two SlowDowns (with x-amz-retry-after: 1 ms) for keys under hot/; --retries 4 absorbs them.
        var throttle = new ScriptedThrottle("/thr/hot/", times: 2, retryAfterMs: 1);
        await using var proxy = new FaultProxy(Server.LocalEndPoint, _ => Fault.None, answer: throttle.Answer);
        var r = SluiceProcess.Run(Through(proxy.Endpoint), null, "cp", "--summary", "--retries", "4", file, "s3://thr/hot/t.bin");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(2, throttle.Answered);
        Assert.Matches(@"summary: 1 file \([^)]+\), 2 throttled \(2 retried\), s3://thr/hot at \d+ req/s, 0 errors", r.StdErr);

        var json = SluiceProcess.Run(Through(proxy.Endpoint), null, "cp", "--json", file, "s3://thr/cold/t.bin");
        Assert.True(json.ExitCode == 0, json.StdErr);
        Assert.DoesNotContain("throttled", json.StdOut); // nothing happened, nothing said

        var again = new ScriptedThrottle("/thr/hot/", times: 1);
        await using var proxy2 = new FaultProxy(Server.LocalEndPoint, _ => Fault.None, answer: again.Answer);
        NewFile("thrsync/a.bin", 100, 1);
        var synced = SluiceProcess.Run(Through(proxy2.Endpoint), null, "sync", "--json", Local("thrsync"), "s3://thr/hot/");
        Assert.True(synced.ExitCode == 0, synced.StdErr);
        Assert.Contains("\"throttled\":1,", synced.StdOut);
        Assert.Matches("\"slowestPrefixRate\":\\d+", synced.StdOut);
    }

    [Fact]
    public async Task Addressing_follows_the_flag_over_the_profile()
    {
        Ok(Sluice("mb", "s3://vhosted"));
        Ok(Sluice("cp", NewFile("k.txt", 10, 1), "s3://vhosted/k.txt"));
        string config = Local("virtual-config");
        File.WriteAllText(config, "[default]\ns3 =\n    addressing_style = virtual\n");
        foreach (var (args, env, virtualHosted) in new[]
                 {
                     (new[] { "ls", "s3://vhosted/" }, Array.Empty<(string, string)>(), false), // localhost: path style by default
                     (["ls", "--addressing", "virtual", "s3://vhosted/"], [], true),
                     (["ls", "s3://vhosted/"], [("AWS_CONFIG_FILE", config)], true),
                     (["ls", "--addressing", "path", "s3://vhosted/"], [("AWS_CONFIG_FILE", config)], false),
                 })
        {
            await using var proxy = new FaultProxy(Server.LocalEndPoint, _ => Fault.None);
            var endpoint = new Uri($"http://localhost:{proxy.Endpoint.Port}");
            var r = SluiceProcess.Run(Through(endpoint, env), null, args);
            Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr}");
            Assert.Contains("k.txt", r.StdOut);
            string line;
            lock (proxy.RequestHeads) line = Assert.Single(proxy.RequestHeads, h => h.StartsWith("GET ", StringComparison.Ordinal));
            Assert.True(virtualHosted != line.StartsWith("GET /vhosted", StringComparison.Ordinal), $"{string.Join(' ', args)}: {line}");
        }
    }

    [Fact]
    public async Task Tls_trust_comes_from_the_ca_bundle_or_is_waived_by_no_verify_ssl()
    {
        using var ca = new Sluice.Server.Tests.Tls.TestCa();
        await using var tls = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = Local("tls-data"),
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = new Dictionary<string, string> { [AccessKey] = Secret },
            Reactors = 1,
            TlsCertificate = ca.Server,
        });
        Assert.Equal("https", tls.Endpoint.Scheme);
        string bundle = ca.WriteRootPem(Local("ca.pem"));
        var env = Through(tls.Endpoint, ("AWS_CA_BUNDLE", ""));
        var untrusted = SluiceProcess.Run(env, null, "mb", "--retries", "0", "s3://secure");
        Assert.Equal(1, untrusted.ExitCode);
        Assert.Contains("TLS", untrusted.StdErr);
        Ok(SluiceProcess.Run(env, null, "mb", "--ca-bundle", bundle, "s3://secure"));
        Assert.Contains("secure", Ok(SluiceProcess.Run(env, null, "ls", "--no-verify-ssl", "s3://")).StdOut);
        OneLineError(SluiceProcess.Run(env, null, "ls", "--ca-bundle", Local("none.pem"), "s3://"), 2, "^sluice: --ca-bundle: .*none.pem: no such file$");
    }

    [Fact]
    public void No_progress_drops_the_progress_line_in_a_terminal_but_not_the_lines_saying_what_was_done()
    {
        Ok(Sluice("mb", "s3://tty"));
        string file = NewFile("p.bin", 20 << 20, 5);
        string Terminal(params string[] args)
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
            string typescript = Local($"typescript-{Guid.NewGuid():N}");
            string command = string.Join(' ', new[] { "dotnet", dll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
            Ok(SluiceProcess.RunExecutable("script", Environment(), null, "-qfec", command, typescript));
            return File.ReadAllText(typescript);
        }

        string drawn = Terminal("cp", file, "s3://tty/a.bin");
        Assert.Contains("\r", drawn);
        Assert.Contains("upload: ", drawn);
        string plain = Terminal("cp", "--no-progress", file, "s3://tty/b.bin");
        Assert.DoesNotContain("\r", plain.Replace("\r\n", "\n"));
        Assert.Contains("upload: ", plain);
        string synced = Terminal("sync", "--no-progress", Local("."), "s3://tty/s/", "--exclude", "*", "--include", "p.bin");
        Assert.DoesNotContain("\r", synced.Replace("\r\n", "\n"));
        Assert.Contains("upload: ", synced);
        Assert.DoesNotContain("upload: ", Terminal("cp", "--quiet", file, "s3://tty/c.bin").Replace("\r\n", "\n"));
    }
}
