using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Sluice.Cli.Output;
using Sluice.S3.Cors;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice cors get|set|rm s3://bucket</c>: a bucket's cross-origin (CORS) rules. <c>set</c> reads S3's
/// CORSConfiguration XML or the JSON awscli's <c>put-bucket-cors --cors-configuration</c> takes
/// (<c>{"CORSRules": [...]}</c>, or the S3 console's bare array of rules), from a file or stdin.
/// </summary>
internal static class CorsCommand
{
    public static Command Create()
    {
        var command = new Command("cors", "Show, set or remove a bucket's CORS rules (S3's XML, or awscli's JSON)\n\nExamples:\n" +
            "  sluice cors get s3://assets\n  sluice cors set s3://assets cors.json\n  sluice cors rm s3://assets");

        command.Subcommands.Add(BucketDocumentCommand.OnBucket("cors", "get",
            "Print the rules as a CORSConfiguration document (exit 1 when there are none)", async (parse, bucket, shared, output, ct) =>
            {
                await using var client = shared.CreateClient(parse);
                var configuration = await client.GetBucketCorsAsync(bucket, ct)
                    ?? throw new CliException($"cors get: s3://{bucket} has no CORS configuration", Program.ExitFailure);
                var xml = new ArrayBufferWriter<byte>();
                configuration.WriteTo(xml);
                string document = Encoding.UTF8.GetString(xml.WrittenSpan);
                output.Record("cors", document, notice: false, w =>
                {
                    w.WriteString("bucket", bucket);
                    w.WriteString("document", document);
                    w.WriteNumber("rules", configuration.Rules.Count);
                });
                return Program.ExitOk;
            }));

        var file = new Argument<string>("file") { Description = "A CORSConfiguration XML document or awscli's JSON (- for stdin)" };
        command.Subcommands.Add(BucketDocumentCommand.OnBucket("cors", "set",
            "Replace the rules with a CORSConfiguration (XML, or JSON as awscli takes it)", async (parse, bucket, shared, output, ct) =>
            {
                string path = parse.GetValue(file)!;
                var configuration = Parse(await BucketDocumentCommand.ReadAsync(path, "cors set", ct), path);
                var problem = configuration.Validate();
                if (!problem.IsNone) throw new CliException($"cors set: {path}: {problem.Message}", Program.ExitUsage);
                await using var client = shared.CreateClient(parse);
                await client.PutBucketCorsAsync(bucket, configuration, ct);
                output.Record("corsSet", $"cors: s3://{bucket}: {configuration.Rules.Count} rule(s) set", notice: true, w =>
                {
                    w.WriteString("bucket", bucket);
                    w.WriteNumber("rules", configuration.Rules.Count);
                });
                return Program.ExitOk;
            }, file));

        command.Subcommands.Add(BucketDocumentCommand.Remove("cors", "Remove the rules", "corsRemoved", "rules removed",
            (client, bucket, ct) => client.DeleteBucketCorsAsync(bucket, ct)));
        return command;
    }

    /// <summary>The configuration in <paramref name="bytes"/>: XML when it starts with '&lt;', JSON otherwise.</summary>
    internal static CorsConfiguration Parse(byte[] bytes, string path)
    {
        var text = bytes.AsSpan().Trim(" \t\r\n"u8);
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) text = text[3..]; // a UTF-8 byte order mark
        if (!text.IsEmpty && text[0] == '<')
        {
            var read = CorsConfiguration.Read(bytes);
            if (!read.IsSuccess) throw new CliException($"cors set: {path}: not a CORSConfiguration document ({read.Detail})", Program.ExitUsage);
            return read.Value!;
        }
        try
        {
            using var json = JsonDocument.Parse(text.ToArray());
            var root = json.RootElement;
            // awscli's --cors-configuration is {"CORSRules": [...]}; the S3 console's JSON is the array alone.
            JsonElement rules = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("CORSRules", out var r) ? r : root;
            if (rules.ValueKind != JsonValueKind.Array) throw new CliException($"cors set: {path}: expected {{\"CORSRules\": [...]}} or an array of rules", Program.ExitUsage);
            var configuration = new CorsConfiguration();
            foreach (var element in rules.EnumerateArray()) configuration.Rules.Add(RuleOf(element, path));
            return configuration;
        }
        catch (JsonException e)
        {
            throw new CliException($"cors set: {path}: neither XML nor JSON ({e.Message})", Program.ExitUsage);
        }
    }

    private static CorsRule RuleOf(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new CliException($"cors set: {path}: a rule is a JSON object", Program.ExitUsage);
        var rule = new CorsRule();
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "ID": rule.Id = StringOf(property, path); break;
                case "AllowedHeaders": AddStrings(rule.AllowedHeaders, property, path); break;
                case "AllowedMethods": AddStrings(rule.AllowedMethods, property, path); break;
                case "AllowedOrigins": AddStrings(rule.AllowedOrigins, property, path); break;
                case "ExposeHeaders": AddStrings(rule.ExposeHeaders, property, path); break;
                case "MaxAgeSeconds":
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int age))
                        throw new CliException($"cors set: {path}: MaxAgeSeconds is an integer", Program.ExitUsage);
                    rule.MaxAgeSeconds = age;
                    break;
                default:
                    throw new CliException($"cors set: {path}: unknown rule member \"{property.Name}\"", Program.ExitUsage);
            }
        }
        return rule;
    }

    private static string StringOf(JsonProperty property, string path) => property.Value.ValueKind == JsonValueKind.String
        ? property.Value.GetString()!
        : throw new CliException($"cors set: {path}: {property.Name} is a string", Program.ExitUsage);

    private static void AddStrings(IList<string> list, JsonProperty property, string path)
    {
        if (property.Value.ValueKind != JsonValueKind.Array) throw new CliException($"cors set: {path}: {property.Name} is an array of strings", Program.ExitUsage);
        foreach (var item in property.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw new CliException($"cors set: {path}: {property.Name} is an array of strings", Program.ExitUsage);
            list.Add(item.GetString()!);
        }
    }
}
