using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sluice.S3.Auth;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice partitions s3://bucket</c>: a Sluice server's key-index partitions for the bucket (the administrator's
/// GET /bucket?sluice-partitions) as a table — range, keys, read and write rates, throttled requests — or the
/// server's JSON with --json; --watch redraws it every --interval.
/// </summary>
internal static class PartitionsCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("bucket") { Description = "s3://bucket on a Sluice server (its administrator's keys)" };
        var json = new Option<bool>("--json") { Description = "The server's JSON document instead of the table" };
        var watch = new Option<bool>("--watch") { Description = "Redraw every --interval until interrupted" };
        var interval = new Option<double>("--interval") { Description = "Seconds between redraws with --watch", DefaultValueFactory = _ => 2 };
        var count = new Option<int?>("--count") { Description = "With --watch: stop after this many views" };
        var command = new Command("partitions", "Show a Sluice server's key-index partitions of a bucket: ranges, keys, request rates, throttling\n\n" +
            "Examples:\n  sluice partitions s3://photos\n  sluice partitions s3://photos --json\n  sluice partitions s3://photos --watch --interval 1")
        {
            target, json, watch, interval, count,
        };
        var shared = ClientCommand.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(interval) != null && (!(result.GetValue(interval) > 0) || result.GetValue(interval) > 3600)) result.AddError("--interval is a number of seconds from 0 (exclusive) to 3600");
            if (result.GetResult(count) != null && !result.GetValue(watch)) result.AddError("--count goes with --watch");
            if (result.GetValue(count) is < 1) result.AddError("--count must be 1 or more");
        });
        command.SetAction((parse, ct) => shared.RunAsync(parse, async () =>
        {
            string text = parse.GetValue(target)!;
            if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3 || path.Key.Length > 0)
                throw new CliException($"partitions: {error ?? $"'{text}' is not s3://bucket"}", Program.ExitUsage);
            var options = shared.LoadOptions(parse);
            if (options.AccessKeyId is not { Length: > 0 } accessKey || options.SecretAccessKey is not { Length: > 0 } secret)
                throw new CliException("partitions: needs an access key and secret (the server administrator's)");
            // One signed GET: plain HttpClient (https trusts the system's CAs; --ca-bundle and --no-verify-ssl are the
            // S3 client's and do not apply here).
            if (options.Endpoint.Scheme == Uri.UriSchemeHttps && (options.InsecureSkipTlsVerify || options.CaBundlePath != null))
                throw new CliException("partitions: --no-verify-ssl and --ca-bundle are not supported here; use http or a certificate the system trusts", Program.ExitUsage);
            using var http = new HttpClient();
            var signer = new SigV4Signer(accessKey, secret, options.Region, options.SessionToken);
            bool watching = parse.GetValue(watch);
            int views = 0, limit = parse.GetValue(count) ?? int.MaxValue;
            var delay = TimeSpan.FromSeconds(parse.GetValue(interval));
            while (true)
            {
                byte[] document = await FetchAsync(http, signer, options.Endpoint, path.Bucket!, ct);
                if (watching && !Console.IsOutputRedirected) Console.Write("\e[H\e[2J"); // a terminal redraws in place
                if (parse.GetValue(json)) Console.WriteLine(Encoding.UTF8.GetString(document));
                else Console.Write(Table(document));
                if (watching && views + 1 < limit) Console.WriteLine();
                await Console.Out.FlushAsync(ct);
                if (!watching || ++views >= limit) return Program.ExitOk;
                await Task.Delay(delay, ct);
            }
        }));
        return command;
    }

    private static async Task<byte[]> FetchAsync(HttpClient http, SigV4Signer signer, Uri endpoint, string bucket, CancellationToken ct)
    {
        string path = "/" + Uri.EscapeDataString(bucket);
        const string Query = "sluice-partitions";
        var headers = new SigV4HeaderList();
        headers.Add("Host", endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}");
        signer.SignHeaders(headers, "GET", path, Query, Convert.ToHexStringLower(SHA256.HashData([])), DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint, path + "?" + Query));
        for (int i = 0; i < headers.Count; i++)
        {
            string name = headers.GetNameString(i);
            if (!name.Equals("host", StringComparison.OrdinalIgnoreCase)) request.Headers.TryAddWithoutValidation(name, headers.GetValueString(i));
        }
        using var response = await http.SendAsync(request, ct);
        byte[] body = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.IsSuccessStatusCode && response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "application/json" }) return body;
        string message = Encoding.UTF8.GetString(body);
        var code = System.Text.RegularExpressions.Regex.Match(message, "<Code>([^<]*)</Code>");
        var said = System.Text.RegularExpressions.Regex.Match(message, "<Message>([^<]*)</Message>");
        throw new CliException(code.Success
            ? $"partitions: {code.Groups[1].Value}: {said.Groups[1].Value} (HTTP {(int)response.StatusCode})"
            : $"partitions: the server answered HTTP {(int)response.StatusCode} without a partition map (is it a Sluice server?)");
    }

    private static readonly string[] Headings = ["LOW", "HIGH", "KEYS", "READS/S", "WRITES/S", "THROTTLED", "THROTTLED/S"];

    /// <summary>The document as a table: one line per partition, and a total line.</summary>
    internal static string Table(byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        var rows = new List<string[]> { Headings };
        foreach (var p in root.GetProperty("partitions").EnumerateArray())
        {
            string high = p.GetProperty("high").ValueKind == JsonValueKind.Null ? "(end)" : Shown(p.GetProperty("high").GetString()!);
            rows.Add(
            [
                p.GetProperty("low").GetString() is { Length: > 0 } low ? Shown(low) : "(start)", high,
                p.GetProperty("keys").GetInt64().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("readRate").GetDouble().ToString("0.0", CultureInfo.InvariantCulture),
                p.GetProperty("writeRate").GetDouble().ToString("0.0", CultureInfo.InvariantCulture),
                p.GetProperty("throttled").GetInt64().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("throttledRate").GetDouble().ToString("0.0", CultureInfo.InvariantCulture),
            ]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var output = new StringBuilder();
        string emulation = root.GetProperty("emulation") is { ValueKind: JsonValueKind.Object } e
            ? string.Create(CultureInfo.InvariantCulture, $"S3 limits emulation '{e.GetProperty("profile").GetString()}': {e.GetProperty("writesPerSecond").GetDouble():0.##} writes/s, {e.GetProperty("readsPerSecond").GetDouble():0.##} reads/s per partition")
            : "no S3 limits emulation";
        output.Append(CultureInfo.InvariantCulture, $"s3://{root.GetProperty("bucket").GetString()}: {rows.Count - 1} partitions, {root.GetProperty("keys").GetInt64()} keys; {emulation}\n");
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                // Key columns left-aligned, numbers right-aligned.
                output.Append(c < 2 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
                output.Append(c + 1 < row.Length ? "  " : "\n");
            }
        }
        return output.ToString();
    }

    /// <summary>A boundary as shown: control characters escaped, long keys cut (the JSON has them whole).</summary>
    private static string Shown(string key)
    {
        var text = new StringBuilder();
        foreach (char ch in key) text.Append(char.IsControl(ch) ? $"\\x{(int)ch:x2}" : ch);
        return text.Length > 40 ? text.ToString(0, 39) + "…" : text.ToString();
    }
}
