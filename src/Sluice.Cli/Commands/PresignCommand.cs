using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Cli.Output;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice presign s3://bucket/key [--expires-in 3600] [--method GET|PUT]</c>: prints a presigned URL;
/// with <c>--post</c>, a presigned browser-form upload (URL, form fields and a ready curl command).</summary>
internal static class PresignCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("object") { Description = "s3://bucket/key" };
        var expires = new Option<int>("--expires-in") { Description = "Seconds the URL stays valid (1 to 604800)", DefaultValueFactory = _ => 3600 };
        var method = new Option<string>("--method") { Description = "HTTP method the URL allows", DefaultValueFactory = _ => "GET" };
        method.AcceptOnlyFromAmong("GET", "PUT", "HEAD", "DELETE");
        var post = new Option<bool>("--post") { Description = "A presigned POST (browser form) upload instead: prints the URL, the form fields and a curl command" };
        var lengthRange = new Option<string?>("--content-length-range") { Description = "With --post: the file's size in bytes must be within MIN:MAX" };
        var conditions = new Option<string[]>("--condition")
        {
            Description = "With --post: a policy condition as JSON, e.g. '[\"starts-with\", \"$Content-Type\", \"image/\"]' (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var fields = new Option<string[]>("--field") { Description = "With --post: a form field NAME=VALUE, pinned by the policy (repeatable)" };
        var command = new Command("presign", "Print a presigned URL for an object (made locally, nothing is sent)\n\nExamples:\n  sluice presign s3://photos/cat.jpg\n  sluice presign --method PUT --expires-in 600 s3://inbox/upload.bin\n  sluice presign --post --content-length-range 1:10485760 s3://inbox/uploads/'${filename}'")
        {
            target, expires, method, post, lengthRange, conditions, fields,
        };
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            string text = parse.GetValue(target)!;
            if (parse.GetValue(expires) is < 1 or > 604800)
                throw new CliException("presign: --expires-in must be between 1 and 604800 seconds (7 days)", Program.ExitUsage);
            if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3 || path.Key.Length == 0)
                throw new CliException($"presign: {error ?? $"'{text}' is not s3://bucket/key"}", Program.ExitUsage);
            await using var client = shared.CreateClient(parse);
            if (parse.GetValue(post))
            {
                if (parse.GetResult(method) is { Implicit: false })
                    throw new CliException("presign: --method does not go with --post", Program.ExitUsage);
                var form = client.PresignPost(path.Bucket!, path.Key, TimeSpan.FromSeconds(parse.GetValue(expires)),
                    ParseFields(parse.GetValue(fields) ?? []), ParseConditions(parse.GetValue(conditions) ?? []),
                    ParseRange(parse.GetValue(lengthRange)));
                WritePost(output, form);
                return Program.ExitOk;
            }
            if (parse.GetValue(lengthRange) != null || parse.GetValue(conditions) is { Length: > 0 } || parse.GetValue(fields) is { Length: > 0 })
                throw new CliException("presign: --content-length-range, --condition and --field go with --post", Program.ExitUsage);
            // Whole seconds, as X-Amz-Date carries it, so "expires" is the URL's real end.
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var url = client.Presign(parse.GetValue(method)!, path.Bucket!, path.Key, TimeSpan.FromSeconds(parse.GetValue(expires)), now);
            output.Presigned(url, parse.GetValue(method)!, now.AddSeconds(parse.GetValue(expires)));
            return Program.ExitOk;
        }));
        return command;
    }

    private static List<KeyValuePair<string, string>> ParseFields(string[] values)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (string v in values)
        {
            int eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new CliException($"presign: --field '{v}' is not NAME=VALUE", Program.ExitUsage);
            list.Add(new(v[..eq], v[(eq + 1)..]));
        }
        return list;
    }

    /// <summary>Conditions as the policy writes them: ["eq"|"starts-with", "$field", "value"] or {"field": "value"}.</summary>
    private static List<PostPolicyCondition> ParseConditions(string[] values)
    {
        var list = new List<PostPolicyCondition>();
        foreach (string v in values)
        {
            PostPolicyCondition? condition = null;
            try
            {
                using var doc = JsonDocument.Parse(v);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 3 && root.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    && root[0].GetString()!.ToLowerInvariant() is "eq" or "starts-with" && root[1].GetString()!.StartsWith('$'))
                    condition = new PostPolicyCondition(root[0].GetString()!.ToLowerInvariant(), root[1].GetString()![1..], root[2].GetString()!);
                else if (root.ValueKind == JsonValueKind.Object && root.EnumerateObject().Count() == 1
                    && root.EnumerateObject().First() is { Value.ValueKind: JsonValueKind.String } p)
                    condition = PostPolicyCondition.Eq(p.Name, p.Value.GetString()!);
            }
            catch (JsonException)
            {
            }
            list.Add(condition ?? throw new CliException(
                $"presign: --condition '{v}' is not [\"eq\"|\"starts-with\", \"$field\", \"value\"] or {{\"field\": \"value\"}}", Program.ExitUsage));
        }
        return list;
    }

    private static (long, long)? ParseRange(string? text)
    {
        if (text == null) return null;
        var parts = text.Split(':');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long min)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long max) && min <= max)
            return (min, max);
        throw new CliException($"presign: --content-length-range '{text}' is not MIN:MAX (bytes, MIN <= MAX)", Program.ExitUsage);
    }

    /// <summary>Text: the URL, each field, and a curl command that uploads FILE; --json: one "presign-post" record.</summary>
    private static void WritePost(CommandOutput output, PresignedPost form)
    {
        var curl = new StringBuilder("curl");
        foreach (var (name, value) in form.Fields) curl.Append(" --form-string ").Append(Quote(name + "=" + value));
        curl.Append(" -F 'file=@FILE' ").Append(Quote(form.Url.AbsoluteUri));
        var text = new StringBuilder();
        text.Append("url: ").Append(form.Url.AbsoluteUri).Append('\n');
        text.Append("expires: ").Append(form.Expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("fields:\n");
        foreach (var (name, value) in form.Fields) text.Append("  ").Append(name).Append(": ").Append(value).Append('\n');
        text.Append("curl: ").Append(curl);
        output.Record("presign-post", text.ToString(), notice: false, w =>
        {
            w.WriteString("url", form.Url.AbsoluteUri);
            w.WriteString("expires", form.Expires.ToUniversalTime());
            w.WriteStartObject("fields");
            foreach (var (name, value) in form.Fields) w.WriteString(name, value);
            w.WriteEndObject();
            w.WriteString("curl", curl.ToString());
        });
    }

    /// <summary>Single-quotes for a POSIX shell. Fields go as --form-string, which curl sends as is (-F would read a
    /// value starting with @ or &lt; as a file and split one at ';').</summary>
    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
