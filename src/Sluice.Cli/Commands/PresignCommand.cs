using System.CommandLine;
using Sluice.Cli.Output;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice presign s3://bucket/key [--expires-in 3600] [--method GET|PUT]</c>: prints a presigned URL.</summary>
internal static class PresignCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("object") { Description = "s3://bucket/key" };
        var expires = new Option<int>("--expires-in") { Description = "Seconds the URL stays valid (1 to 604800)", DefaultValueFactory = _ => 3600 };
        var method = new Option<string>("--method") { Description = "HTTP method the URL allows", DefaultValueFactory = _ => "GET" };
        method.AcceptOnlyFromAmong("GET", "PUT", "HEAD", "DELETE");
        var command = new Command("presign", "Print a presigned URL for an object (made locally, nothing is sent)\n\nExamples:\n  sluice presign s3://photos/cat.jpg\n  sluice presign --method PUT --expires-in 600 s3://inbox/upload.bin")
        {
            target, expires, method,
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
            // Whole seconds, as X-Amz-Date carries it, so "expires" is the URL's real end.
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var url = client.Presign(parse.GetValue(method)!, path.Bucket!, path.Key, TimeSpan.FromSeconds(parse.GetValue(expires)), now);
            output.Presigned(url, parse.GetValue(method)!, now.AddSeconds(parse.GetValue(expires)));
            return Program.ExitOk;
        }));
        return command;
    }
}
