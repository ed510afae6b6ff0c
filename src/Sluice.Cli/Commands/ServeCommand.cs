using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Sluice.Server;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice serve</c>: runs the embedded S3 server until SIGINT or SIGTERM, then stops gracefully (requests in
/// flight finish, key indexes are flushed) and exits 0.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data directory (created if missing); or --memory" };
        var memory = new Option<bool>("--memory")
        {
            Description = "Keep everything in memory instead of --data (full S3, no disk, gone when the server stops)",
        };
        var memoryLimit = new Option<string>("--memory-limit")
        {
            Description = "With --memory: the most object bytes held, e.g. 512MiB or 2GiB (default 1GiB); writes past it get 507",
        };
        var listen = EndPointOption("--listen", "Address and port of the HTTP/1.1 front on the I/O engine (port 0 picks a free one)");
        listen.DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, 9000);
        var listenH2 = EndPointOption("--listen-h2",
            "Also listen here with Kestrel: HTTP/1.1 and HTTP/2 (h2c by prior knowledge; with --tls-cert, HTTPS and ALPN)");
        var tlsCert = new Option<FileInfo>("--tls-cert") { Description = "Serve TLS on every listener: certificate (PEM)" };
        var tlsKey = new Option<FileInfo>("--tls-key") { Description = "Private key (PEM) for --tls-cert" };
        var accessLog = new Option<string>("--access-log") { Description = "Write one line per request to FILE (- for stdout)" };
        var metrics = EndPointOption("--metrics", "Serve metrics in Prometheus text format at http://ADDR/metrics");
        var accessKey = new Option<string>("--access-key") { Description = "Access key (default: AWS_ACCESS_KEY_ID, else the development pair)" };
        var secretKey = new Option<string>("--secret-key") { Description = "Secret key for --access-key" };
        var credentialsFile = new Option<FileInfo>("--credentials")
        {
            Description = "File of users' keys, one 'KEY SECRET [USER [CANONICAL-ID|-] [admin] [email=ADDR]]' per line (# comments); instead of --access-key",
        };
        var region = new Option<string>("--region") { Description = "Region requests are signed for", DefaultValueFactory = _ => "us-east-1" };
        var reactors = new Option<int>("--reactors") { Description = "Reactor threads (0 = engine default)" };
        var anonymous = new Option<bool>("--anonymous-full-access")
        {
            Description = "DEVELOPMENT ONLY, wide open: unsigned requests act as the first user with every right (without it they are the anonymous principal, allowed what ACLs grant everyone)",
        };
        var engine = new Option<string>("--engine") { Description = "I/O engine: uring, managed or auto" };
        engine.AcceptOnlyFromAmong("uring", "managed", "auto");
        var openCache = new Option<int>("--open-cache")
        {
            Description = "Small objects kept open for GET/HEAD of hot keys (0 = off)",
            DefaultValueFactory = _ => 1024,
        };

        var lifecycleDay = new Option<double?>("--lifecycle-day")
        {
            Description = "Seconds in a lifecycle \"day\" (default: a real day), to rehearse expiration rules quickly",
        };

        var kmsKeys = new Option<FileInfo>("--kms-keys")
        {
            Description = "SSE-KMS keys: one 'KEY-ID BASE64-256-BIT-KEY' per line (# comments; the first is the default key)",
        };

        var emulateLimits = new Option<string?>("--emulate-s3-limits")
        {
            Description = "Give each key-range partition S3's request budget (PROFILE 'aws': 3,500 writes and 5,500 reads per second); over it, 503 SlowDown",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "PROFILE",
        };
        var placement = new Option<string?>("--placement")
        {
            Description = "Direct placement (S3 over RDMA's protocol): 'shm' places GET/PUT bytes in the memory of same-host clients that register it (docs/placement.md); off by default",
            HelpName = "PROVIDER",
        };
        placement.AcceptOnlyFromAmong("shm");
        var placementSocket = new Option<string?>("--placement-socket")
        {
            Description = "With --placement shm: the Unix socket clients register memory on (default: the temp directory's sluice-placement.sock)",
            HelpName = "PATH",
        };
        var partitionRate = new Option<double?>("--partition-rate")
        {
            Description = "With --emulate-s3-limits: scale the budget (0.01 = a hundredth, so a small machine shows the effect)",
        };
        var splitDelay = new Option<double?>("--partition-split-delay")
        {
            Description = "Seconds a partition stays hot before it splits (default 60; S3 scales gradually)",
        };

        var command = new Command("serve", "Run the embedded S3-compatible server\n\nExamples:\n  sluice serve --data ./s3-data\n" +
            "  sluice serve --data /srv/s3 --listen 127.0.0.1:9000 --credentials keys.txt\n" +
            "  sluice serve --memory --memory-limit 2GiB   (a throwaway S3 for tests)\n" +
            "  sluice serve --data ./d --listen 127.0.0.1:9000 --listen-h2 127.0.0.1:9443   (curl --http2-prior-knowledge)\n  AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s sluice serve --data ./d --reactors 2")
        {
            data, memory, memoryLimit, listen, listenH2, tlsCert, tlsKey, accessKey, secretKey, credentialsFile, region, reactors, anonymous, engine,
            openCache, accessLog, metrics, lifecycleDay, kmsKeys, emulateLimits, partitionRate, splitDelay, placement, placementSocket,
        };
        command.Validators.Add(result =>
        {
            bool hasKey = result.GetResult(accessKey) != null, hasSecret = result.GetResult(secretKey) != null;
            if (hasKey != hasSecret) result.AddError("--access-key and --secret-key go together");
            if (hasKey && result.GetResult(credentialsFile) != null) result.AddError("--credentials and --access-key are alternatives");
            if (result.GetValue(reactors) < 0) result.AddError("--reactors must be 0 or more");
            if (result.GetValue(openCache) < 0) result.AddError("--open-cache must be 0 or more");
            bool inMemory = result.GetValue(memory);
            if (inMemory == (result.GetResult(data) != null)) result.AddError("give either --data DIR or --memory");
            if (result.GetResult(memoryLimit) != null)
            {
                if (!inMemory) result.AddError("--memory-limit goes with --memory");
                else if (!Bench.Units.TryParseSize(result.GetValue(memoryLimit), out long limit) || limit <= 0)
                    result.AddError($"--memory-limit: '{result.GetValue(memoryLimit)}' is not a size such as 512MiB or 2GiB");
            }
            if (result.GetValue(lifecycleDay) is { } seconds && (seconds <= 0 || double.IsNaN(seconds) || seconds > 86400))
                result.AddError("--lifecycle-day is a number of seconds from 0 (exclusive) to 86400");
            bool emulating = result.GetResult(emulateLimits) != null;
            if (emulating && result.GetValue(emulateLimits) is { } profileName && Sluice.Server.Index.S3LimitsProfile.Find(profileName) == null)
                result.AddError($"--emulate-s3-limits: unknown profile '{profileName}' (known: {string.Join(", ", Sluice.Server.Index.S3LimitsProfile.All.Select(p => p.Name))})");
            if (result.GetResult(partitionRate) != null)
            {
                if (!emulating) result.AddError("--partition-rate goes with --emulate-s3-limits");
                else if (result.GetValue(partitionRate) is not { } rate || !(rate > 0) || double.IsInfinity(rate))
                    result.AddError("--partition-rate is a positive number");
            }
            if (result.GetValue(splitDelay) is { } delay && (!(delay >= 0) || delay > 86400))
                result.AddError("--partition-split-delay is a number of seconds from 0 to 86400");
            if ((result.GetResult(tlsCert) != null) != (result.GetResult(tlsKey) != null))
                result.AddError("--tls-cert and --tls-key go together");
            if (result.GetResult(placementSocket) != null && result.GetResult(placement) == null)
                result.AddError("--placement-socket goes with --placement shm");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? key = parse.GetValue(accessKey), secret = parse.GetValue(secretKey);
            IReadOnlyDictionary<string, string>? credentials = key != null && secret != null
                ? new Dictionary<string, string> { [key] = secret } : null;
            IReadOnlyList<Sluice.Server.Access.ServerUser>? users = null;
            if (parse.GetValue(credentialsFile) is { } file)
            {
                try
                {
                    (credentials, users) = ReadUsers(file.FullName);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    await Console.Error.WriteLineAsync($"sluice: --credentials: {e.Message}");
                    return Program.ExitFailure;
                }
            }
            IReadOnlyList<Sluice.Server.Service.Encryption.KmsKey>? kms = null;
            if (parse.GetValue(kmsKeys) is { } kmsFile)
            {
                try
                {
                    kms = Sluice.Server.Service.Encryption.SseKeyring.ReadKmsKeyFile(kmsFile.FullName);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    await Console.Error.WriteLineAsync($"sluice: --kms-keys: {e.Message}");
                    return Program.ExitFailure;
                }
            }
            System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null;
            if (parse.GetValue(tlsCert) is { } certFile && parse.GetValue(tlsKey) is { } keyFile)
            {
                try
                {
                    certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
                        certFile.FullName, keyFile.FullName);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException
                    or System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    await Console.Error.WriteLineAsync($"sluice: --tls-cert/--tls-key: {e.Message}");
                    return Program.ExitFailure;
                }
            }
            TextWriter? log = null;
            if (parse.GetValue(accessLog) is { } logPath)
            {
                try
                {
                    // No AutoFlush: the server's access log writer flushes whenever its queue runs empty.
                    log = logPath == "-" ? Console.Out : new StreamWriter(logPath, append: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"sluice: --access-log: {e.Message}");
                    return Program.ExitFailure;
                }
            }
            var options = new SluiceServerOptions
            {
                DataDirectory = parse.GetValue(data) is { } directory ? Path.GetFullPath(directory) : null,
                InMemory = parse.GetValue(memory),
                MemoryLimit = Bench.Units.TryParseSize(parse.GetValue(memoryLimit), out long memoryBytes) ? memoryBytes
                    : SluiceServerOptions.DefaultMemoryLimit,
                Listen = parse.GetValue(listen)!,
                Credentials = credentials,
                Region = parse.GetValue(region)!,
                Reactors = parse.GetValue(reactors),
                Users = users,
                AnonymousFullAccess = parse.GetValue(anonymous),
                EngineMode = parse.GetValue(engine),
                OpenObjectCacheSize = parse.GetValue(openCache),
                ErrorLog = Console.Error,
                TlsCertificate = certificate,
                ListenHttp2 = parse.GetValue(listenH2),
                MetricsListen = parse.GetValue(metrics),
                AccessLog = log,
                LifecycleDay = parse.GetValue(lifecycleDay) is { } day ? TimeSpan.FromSeconds(day) : TimeSpan.FromDays(1),
                KmsKeys = kms,
                EmulateS3Limits = parse.GetResult(emulateLimits) == null ? null
                    : Sluice.Server.Index.S3LimitsProfile.Find(parse.GetValue(emulateLimits) ?? "aws"),
                PartitionRate = parse.GetValue(partitionRate) ?? 1,
                Placement = parse.GetValue(placement),
                PlacementSocket = parse.GetValue(placementSocket),
                Partitions = new Sluice.Server.Index.PartitionPolicySettings
                {
                    HeatSplitDelay = parse.GetValue(splitDelay) is { } seconds ? TimeSpan.FromSeconds(seconds)
                        : Sluice.Server.Index.PartitionPolicySettings.DefaultHeatSplitDelay,
                },
            };
            try
            {
                return await RunAsync(options, cancellationToken);
            }
            finally
            {
                if (log is StreamWriter logFile) await logFile.DisposeAsync(); // after the server stopped: every line is in
            }
        });
        return command;
    }

    /// <summary>The banner's words for the store: "data DIR" or "in memory, limit 1GiB".</summary>
    private static string Stored(SluiceServer server) =>
        server.StorageDescription.StartsWith("disk ", StringComparison.Ordinal)
            ? "data " + server.StorageDescription[5..]
            : $"in memory, limit {Bench.Units.FormatSize(server.MemoryLimit)}";

    private static Option<IPEndPoint> EndPointOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal)) return endPoint;
            result.AddError($"{name}: '{text}' is not an address:port such as 127.0.0.1:9000");
            return null;
        },
    };

    /// <summary>Reads 'ACCESS_KEY SECRET_KEY' pairs, one per line; blank lines and '#' comments are skipped.</summary>
    internal static Dictionary<string, string> ReadCredentials(string path) => ReadUsers(path).Keys;

    /// <summary>
    /// Reads the credentials file: one access key per line, 'ACCESS_KEY SECRET [USER [CANONICAL-ID|-] [admin]
    /// [email=ADDRESS]]'. Two fields: the key of the default user (as before users existed). Lines naming the same
    /// user give it several keys. CANONICAL-ID '-' (or none) derives one from the name; 'admin' makes the user the
    /// administrator; email= lets ACL grants name the user by address. The first line's user owns buckets created
    /// before owners were recorded.
    /// </summary>
    internal static (Dictionary<string, string> Keys, IReadOnlyList<Sluice.Server.Access.ServerUser>? Users) ReadUsers(string path)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        var users = new List<Sluice.Server.Access.ServerUser>();
        var keysOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        bool named = false;
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
                throw new FormatException($"{path}:{number}: expected 'ACCESS_KEY SECRET_KEY [USER [CANONICAL-ID|-] [admin] [email=ADDRESS]]'");
            if (!pairs.TryAdd(fields[0], fields[1]))
                throw new FormatException($"{path}:{number}: access key '{fields[0]}' appears twice");
            var user = Sluice.Server.Access.ServerUser.Default;
            if (fields.Length > 2)
            {
                named = true;
                string name = fields[2];
                string id = fields.Length > 3 && fields[3] != "-" ? fields[3] : Sluice.Server.Access.ServerUser.CanonicalIdFor(name);
                bool admin = false;
                string? email = null;
                foreach (string option in fields.Skip(4))
                {
                    if (option == "admin") admin = true;
                    else if (option.StartsWith("email=", StringComparison.Ordinal) && option.Length > 6) email = option[6..];
                    else throw new FormatException($"{path}:{number}: unknown '{option}' (expected admin or email=ADDRESS)");
                }
                user = new Sluice.Server.Access.ServerUser(name, id) { IsAdmin = admin, Email = email };
            }
            int at = users.FindIndex(u => u.Name == user.Name);
            if (at < 0)
            {
                users.Add(user);
                keysOf[user.Name] = [];
            }
            else if (users[at].CanonicalId != user.CanonicalId || (fields.Length > 4 && users[at] with { AccessKeys = [] } != user))
            {
                throw new FormatException($"{path}:{number}: user '{user.Name}' is described differently on an earlier line");
            }
            keysOf[user.Name].Add(fields[0]);
        }
        if (pairs.Count == 0) throw new FormatException($"{path}: no credentials in the file");
        if (users.Select(u => u.CanonicalId).Distinct(StringComparer.Ordinal).Count() != users.Count)
            throw new FormatException($"{path}: two users have the same canonical id");
        if (users.Count(u => u.IsAdmin) > 1) throw new FormatException($"{path}: more than one user is marked admin");
        // A file of pairs only keeps its old meaning exactly: every key is the default user's.
        return (pairs, named ? users.Select(u => u with { AccessKeys = keysOf[u.Name] }).ToList() : null);
    }

    private static async Task<int> RunAsync(SluiceServerOptions options, CancellationToken cancellationToken)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after a graceful stop
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var cancelled = cancellationToken.Register(() => stop.TrySetResult());

        SluiceServer server;
        try
        {
            server = await SluiceServer.StartAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Sluice.IO.IoException
            or System.Net.Sockets.SocketException or Sluice.Server.Index.IndexCorruptException or NotSupportedException)
        {
            await Console.Error.WriteLineAsync($"sluice: cannot serve: {e.Message}");
            return Program.ExitFailure;
        }
        string credentials = server.CredentialsSource == "development defaults"
            ? $"development credentials {SluiceServerOptions.DevAccessKey} / {SluiceServerOptions.DevSecretKey}"
            : $"credentials from {server.CredentialsSource}";
        string metrics = server.MetricsEndPoint is { } m ? $"; metrics at http://{m}/metrics" : "";
        Console.WriteLine($"sluice: serving S3 at {server.Endpoint} (HTTP/1.1; {Stored(server)}, engine {server.EngineName}, region {options.Region}, {credentials}{(options.AnonymousFullAccess ? ", UNSIGNED REQUESTS HAVE FULL ACCESS (development)" : "")}){metrics}");
        if (server.Http2Endpoint is { } h2)
            Console.WriteLine($"sluice: serving S3 at {h2} ({server.Http2Protocols}; Kestrel)");
        if (server.PlacementSocket is { } placementAt)
            Console.WriteLine($"sluice: direct placement (shm): clients register memory at {placementAt}");
        if (server.PartitionBudget is { } budget)
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"sluice: emulating S3 limits ({budget.Name}): each partition takes {budget.WritesPerSecond:0.##} writes/s and {budget.ReadsPerSecond:0.##} reads/s, then 503 SlowDown; a partition hot for {options.Partitions.HeatSplitDelay.TotalSeconds:0.##} s splits"));
        if (server.StartupRepair is { Reconciled: true } r)
            Console.WriteLine($"sluice: the last run did not stop cleanly; key index checked against the store ({r.Added} added, {r.Updated} updated, {r.Removed} removed)");
        foreach (var (bucket, cause) in server.ReadOnlyBuckets)
            await Console.Error.WriteLineAsync($"sluice: bucket {bucket} is read-only: its key index cannot be written ({cause.Message}); writes get 503 until it can");
        await Console.Out.FlushAsync(CancellationToken.None);
        await stop.Task;
        await server.StopAsync();
        Console.WriteLine("sluice: stopped");
        return Program.ExitOk;
    }
}
