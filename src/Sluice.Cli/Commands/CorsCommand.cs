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

        var getTarget = new Argument<string>("bucket") { Description = "s3://bucket" };
        var get = new Command("get", "Print the rules as a CORSConfiguration document (exit 1 when there are none)") { getTarget };
        var getShared = ClientCommand.AddTo(get);
        var getOutput = OutputOptions.AddTo(get, summary: false);
        get.SetAction((parse, ct) => getOutput.RunAsync(parse, getShared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(getTarget)!, "cors get");
            await using var client = getShared.CreateClient(parse);
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

        var setTarget = new Argument<string>("bucket") { Description = "s3://bucket" };
        var file = new Argument<string>("file") { Description = "A CORSConfiguration XML document or awscli's JSON (- for stdin)" };
        var set = new Command("set", "Replace the rules with a CORSConfiguration (XML, or JSON as awscli takes it)") { setTarget, file };
        var setShared = ClientCommand.AddTo(set);
        var setOutput = OutputOptions.AddTo(set, summary: false);
        set.SetAction((parse, ct) => setOutput.RunAsync(parse, setShared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(setTarget)!, "cors set");
            string path = parse.GetValue(file)!;
            byte[] bytes;
            try
            {
                bytes = path == "-" ? await ReadStdinAsync(ct) : await File.ReadAllBytesAsync(path, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cors set: {path}: {e.Message}", Program.ExitUsage);
            }
            var configuration = Parse(bytes, path);
            var problem = configuration.Validate();
            if (!problem.IsNone) throw new CliException($"cors set: {path}: {problem.Message}", Program.ExitUsage);
            await using var client = setShared.CreateClient(parse);
            await client.PutBucketCorsAsync(bucket, configuration, ct);
            output.Record("corsSet", $"cors: s3://{bucket}: {configuration.Rules.Count} rule(s) set", notice: true, w =>
            {
                w.WriteString("bucket", bucket);
                w.WriteNumber("rules", configuration.Rules.Count);
            });
            return Program.ExitOk;
        }));

        var rmTarget = new Argument<string>("bucket") { Description = "s3://bucket" };
        var rm = new Command("rm", "Remove the rules") { rmTarget };
        var rmShared = ClientCommand.AddTo(rm);
        var rmOutput = OutputOptions.AddTo(rm, summary: false);
        rm.SetAction((parse, ct) => rmOutput.RunAsync(parse, rmShared, async output =>
        {
            string bucket = BucketCommands.BucketOf(parse.GetValue(rmTarget)!, "cors rm");
            await using var client = rmShared.CreateClient(parse);
            await client.DeleteBucketCorsAsync(bucket, ct);
            output.Record("corsRemoved", $"cors: s3://{bucket}: rules removed", notice: true, w => w.WriteString("bucket", bucket));
            return Program.ExitOk;
        }));

        command.Subcommands.Add(get);
        command.Subcommands.Add(set);
        command.Subcommands.Add(rm);
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

    private static async Task<byte[]> ReadStdinAsync(CancellationToken ct)
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
