using System.CommandLine;
using Sluice.Client;
using Sluice.Client.Config;
using Sluice.Client.Credentials;
using Sluice.Client.Transfer;
using Sluice.IO;

namespace Sluice.Cli.Commands;

/// <summary>
/// What every client command (cp, ls, rm, mb, rb, presign, sync) shares: endpoint, profile and region options with
/// the AWS precedence (flags, then environment, then profile), --io, --quiet and --debug; how it connects (addressing,
/// TLS trust, retries, timeouts, HTTP/1.1 or HTTP/2) and how fast it may go (--bwlimit, --tpslimit); the client it builds, and one place
/// that turns failures into one line on stderr and an exit code.
/// </summary>
internal sealed class ClientCommand
{
    /// <summary>Where `sluice serve` listens by default: the target when nothing else is configured.</summary>
    public static readonly Uri LocalServer = new("http://127.0.0.1:9000");

    public Option<string> Endpoint { get; } = new("--endpoint")
    {
        Description = "S3 endpoint URL (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / the profile's endpoint_url; with no " +
            "credentials configured at all, the local `sluice serve` at http://127.0.0.1:9000 with its development keys)",
    };

    public Option<string> Profile { get; } = new("--profile") { Description = "Profile in ~/.aws/credentials and ~/.aws/config (else AWS_PROFILE)" };

    public Option<string> Region { get; } = new("--region") { Description = "Region to sign for (else AWS_REGION / AWS_DEFAULT_REGION / the profile)" };

    public Option<string> Io { get; } = new("--io") { Description = "I/O engine: uring, managed or auto (default auto)" };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print nothing but errors" };

    public Option<bool> Debug { get; } = new("--debug") { Description = "Show stack traces on errors" };

    public Option<string> Addressing { get; } = new("--addressing")
    {
        Description = "Bucket addressing: path (/bucket/key), virtual (bucket.host) or auto (else the profile's s3 addressing_style; " +
            "auto: path for IP addresses and localhost)",
    };

    public Option<bool> NoVerifySsl { get; } = new("--no-verify-ssl") { Description = "Accept any TLS certificate of the endpoint (insecure: tests only)" };

    public Option<string> CaBundle { get; } = new("--ca-bundle") { Description = "PEM file of CA certificates to trust for https, besides the system's (else AWS_CA_BUNDLE / the profile's ca_bundle)" };

    public Option<int?> Retries { get; } = new("--retries") { Description = "Retries of a failed request after the first attempt (default 2; 0: none; else AWS_MAX_ATTEMPTS - 1)" };

    public Option<string> ConnectTimeout { get; } = new("--connect-timeout") { Description = "Wait for a connection at most this long, e.g. 5s (default 10s)" };

    public Option<string> ReadTimeout { get; } = new("--read-timeout")
    {
        Description = "Wait for an answer, or for more bytes of one, at most this long before retrying, e.g. 30s (default: 60s for the first byte, 30s without progress)",
    };

    public Option<string> BandwidthLimit { get; } = new("--bwlimit") { Description = "Bytes per second for the whole command (all files and parts, both ways), e.g. 10M" };

    public Option<double?> TpsLimit { get; } = new("--tpslimit") { Description = "Requests per second for the whole command, retries included, e.g. 10" };

    public Option<bool> Http2 { get; } = new("--http2")
    {
        Description = "Speak HTTP/2 only: h2c with prior knowledge on http://, h2 by ALPN on https:// (a server without it fails the command)",
    };

    public Option<bool> Http1 { get; } = new("--http1") { Description = "Speak HTTP/1.1 (the default)" };

    public Option<string> PayloadSigning { get; } = new("--payload-signing")
    {
        Description = "How uploads send their bodies: unsigned-payload (the default), signed-body, or aws-chunked with " +
            "streaming-signed, streaming-signed-trailer or streaming-unsigned-trailer (a checksum computed while sending, in a trailer)",
    };

    private ClientCommand()
    {
        Io.AcceptOnlyFromAmong("uring", "managed", "auto");
        Addressing.AcceptOnlyFromAmong("path", "virtual", "auto");
        PayloadSigning.AcceptOnlyFromAmong("unsigned-payload", "signed-body", "streaming-signed", "streaming-signed-trailer",
            "streaming-unsigned-trailer");
    }

    /// <summary>Creates the shared options and adds them to <paramref name="command"/>.</summary>
    public static ClientCommand AddTo(Command command)
    {
        var shared = new ClientCommand();
        command.Options.Add(shared.Endpoint);
        command.Options.Add(shared.Profile);
        command.Options.Add(shared.Region);
        command.Options.Add(shared.Io);
        command.Options.Add(shared.Quiet);
        command.Options.Add(shared.Debug);
        foreach (Option option in new Option[] { shared.Addressing, shared.CaBundle, shared.NoVerifySsl, shared.Retries, shared.ConnectTimeout,
                     shared.ReadTimeout, shared.BandwidthLimit, shared.TpsLimit, shared.Http2, shared.Http1, shared.PayloadSigning })
            command.Options.Add(option);
        return shared;
    }

    /// <summary>The client options: flags over environment over profile; the local server when nothing is configured.</summary>
    public S3ClientOptions LoadOptions(ParseResult parse) => ApplyFlags(parse, LoadConfigured(parse));

    /// <summary>The connection flags over the configured options (checked before anything is sent: a bad one is a usage error).</summary>
    private S3ClientOptions ApplyFlags(ParseResult parse, S3ClientOptions options)
    {
        string? bundle = parse.GetValue(CaBundle);
        if (bundle != null && !File.Exists(bundle)) throw new CliException($"--ca-bundle: {bundle}: no such file", Program.ExitUsage);
        var retry = options.Retry;
        if (parse.GetValue(Retries) is { } retries)
        {
            if (retries is < 0 or > 100) throw new CliException("--retries must be from 0 to 100", Program.ExitUsage);
            retry = retry with { MaxAttempts = retries + 1 };
        }
        TimeSpan? connect = Duration(parse, ConnectTimeout), read = Duration(parse, ReadTimeout);
        TokenBucketLimiter? bandwidth = null, requests = null;
        if (parse.GetValue(BandwidthLimit) is { } rate)
        {
            if (!Bench.Units.TryParseSize(rate, out long bytes) || bytes < 1)
                throw new CliException($"--bwlimit: '{rate}' is not a rate such as 10M (bytes per second)", Program.ExitUsage);
            bandwidth = new TokenBucketLimiter(bytes);
        }
        if (parse.GetValue(TpsLimit) is { } tps)
        {
            if (!(tps > 0) || double.IsInfinity(tps)) throw new CliException("--tpslimit must be a positive number of requests per second", Program.ExitUsage);
            requests = new TokenBucketLimiter(tps, burst: 1); // rclone's --tpslimit-burst default: no bursts
        }
        HttpProtocol? protocol = ProtocolFlag(parse);
        return options with
        {
            Protocol = protocol ?? options.Protocol,
            ForcePathStyle = parse.GetValue(Addressing) switch { "path" => true, "virtual" => false, "auto" => null, _ => options.ForcePathStyle },
            CaBundlePath = bundle ?? options.CaBundlePath,
            InsecureSkipTlsVerify = options.InsecureSkipTlsVerify || parse.GetValue(NoVerifySsl),
            Retry = retry,
            ConnectTimeout = connect ?? options.ConnectTimeout,
            FirstByteTimeout = read ?? options.FirstByteTimeout,
            StallTimeout = read ?? options.StallTimeout,
            BandwidthLimit = bandwidth ?? options.BandwidthLimit,
            RequestRateLimit = requests ?? options.RequestRateLimit,
            PayloadSigning = PayloadSigningFlag(parse) ?? options.PayloadSigning,
        };
    }

    /// <summary>The payload mode --payload-signing asks for (null: not given).</summary>
    public PayloadSigning? PayloadSigningFlag(ParseResult parse) => parse.GetValue(PayloadSigning) switch
    {
        "unsigned-payload" => Client.PayloadSigning.UnsignedPayload,
        "signed-body" => Client.PayloadSigning.SignedBody,
        "streaming-signed" => Client.PayloadSigning.StreamingSigned,
        "streaming-signed-trailer" => Client.PayloadSigning.StreamingSignedTrailer,
        "streaming-unsigned-trailer" => Client.PayloadSigning.StreamingUnsignedTrailer,
        _ => null,
    };

    /// <summary>The protocol --http2 / --http1 ask for (null: neither); both at once is a usage error.</summary>
    public HttpProtocol? ProtocolFlag(ParseResult parse)
    {
        bool http2 = parse.GetValue(Http2), http1 = parse.GetValue(Http1);
        if (http2 && http1) throw new CliException("--http1 and --http2 exclude each other", Program.ExitUsage);
        return http2 ? HttpProtocol.Http2 : http1 ? HttpProtocol.Http11 : null;
    }

    private static TimeSpan? Duration(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) is not { } text ? null
        : Bench.Units.TryParseDuration(text, out var d) ? d
        : throw new CliException($"{option.Name}: '{text}' is not a duration such as 500ms, 30s or 2m", Program.ExitUsage);

    private S3ClientOptions LoadConfigured(ParseResult parse)
    {
        string? endpoint = parse.GetValue(Endpoint), region = parse.GetValue(Region), profile = parse.GetValue(Profile);
        if (endpoint != null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
            throw new CliException($"--endpoint: '{endpoint}' is not an http(s) URL", Program.ExitUsage);
        var current = AwsConfigSource.Current;
        var source = current with
        {
            GetEnvironmentVariable = name => name switch
            {
                "AWS_ENDPOINT_URL_S3" when endpoint != null => endpoint,
                "AWS_REGION" when region != null => region,
                _ => current.GetEnvironmentVariable(name),
            },
        };
        try
        {
            return AwsConfigLoader.Load(source, profile, instanceMetadata: false);
        }
        catch (InvalidOperationException) when (profile == null && !HasCredentials(source))
        {
            // No credentials source configured before instance metadata. Asking IMDS would cost a timeout on every
            // command off EC2, so it is asked only when the target is AWS (a region and no endpoint) or its endpoint is
            // set explicitly; otherwise talk to a `sluice serve` (local by default) with its development keys.
            if (InstanceMetadata(source) is { } ec2) return ec2;
            string? configured = endpoint ?? source.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? source.GetEnvironmentVariable("AWS_ENDPOINT_URL");
            return new S3ClientOptions
            {
                Endpoint = string.IsNullOrEmpty(configured) ? LocalServer : new Uri(configured),
                Region = region ?? AwsConfigLoader.DefaultRegion,
                AccessKeyId = Server.SluiceServerOptions.DevAccessKey,
                SecretAccessKey = Server.SluiceServerOptions.DevSecretKey,
                Source = "development defaults",
            };
        }
        catch (Exception e) when (e is InvalidOperationException or UriFormatException or AwsCredentialsException)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>Options with EC2 instance-metadata credentials when those are what the configuration points at.</summary>
    private static S3ClientOptions? InstanceMetadata(AwsConfigSource source)
    {
        S3ClientOptions options;
        try
        {
            options = AwsConfigLoader.Load(source, null, instanceMetadata: true);
        }
        catch (InvalidOperationException)
        {
            return null; // AWS_EC2_METADATA_DISABLED
        }
        bool explicitImds = !string.IsNullOrEmpty(source.GetEnvironmentVariable("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
        bool awsTarget = options.Endpoint == new Uri($"https://s3.{options.Region}.amazonaws.com")
            && AwsConfigLoader.ConfiguredRegion(source) != null;
        return explicitImds || awsTarget ? options : null;
    }

    // Credentials files are read by the loader; here only "none of the environment's" matters, since the loader
    // already failed to find any in the files.
    private static bool HasCredentials(AwsConfigSource source) =>
        !string.IsNullOrEmpty(source.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"))
        || !string.IsNullOrEmpty(source.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));

    /// <summary>
    /// Set by `sluice run` for the commands of its lines: one I/O engine (its reactors and rings) under every line's
    /// client, instead of one started and stopped per line. The lines' --io then has no say.
    /// </summary>
    internal static IoEngine? SharedEngine { get; set; }

    /// <summary>A client on its own I/O engine (the --io choice, passed the way SLUICE_IO is), or on <see cref="SharedEngine"/>.</summary>
    public S3Client CreateClient(ParseResult parse)
    {
        var options = LoadOptions(parse);
        if (SharedEngine is { } shared) return new S3Client(options, shared);
        if (parse.GetValue(Io) is { } mode and not "auto") Environment.SetEnvironmentVariable("SLUICE_IO", mode);
        return new S3Client(options);
    }

    /// <summary>
    /// Runs a command body: <see cref="CliException"/>, S3 and transfer errors, I/O errors and cancellation end as one
    /// line on stderr ("sluice: ...") with exit 1 (2 for usage); --debug adds the stack trace.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<Task<int>> body)
    {
        bool debug = parse.GetValue(Debug);
        try
        {
            return await body();
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync("sluice: " + message);
            if (debug) await Console.Error.WriteLineAsync(e.ToString());
            return e is CliException cli ? cli.ExitCode : Program.ExitFailure;
        }
    }

    /// <summary>The one-line message for an expected failure; null for a bug (which then crashes loudly).</summary>
    internal static string? Describe(Exception e) => e switch
    {
        CliException => e.Message,
        S3Exception s3 => (s3.Message.StartsWith(s3.Code, StringComparison.Ordinal) ? s3.Message : $"{s3.Code}: {s3.Message}")
            + (s3.StatusCode > 0 ? $" (HTTP {s3.StatusCode})" : ""),
        TransferException or ChecksumMismatchException => e.Message,
        AwsCredentialsException => "credentials: " + e.Message,
        OperationCanceledException => "cancelled",
        IOException or UnauthorizedAccessException or IoException => e.Message,
        _ => null,
    };
}
