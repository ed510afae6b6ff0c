using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.Client;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice presign --post` and <see cref="S3Client.PresignPost"/> against the embedded server: the curl command it
/// prints uploads a file (curl skips cleanly when missing), the JSON record's fields upload through HttpClient, the
/// policy's conditions hold, and usage errors exit 2.
/// </summary>
public sealed class PresignPostCommandTests() : ServerCommandTests("AKIDCLIPOSTFORM", "cli/post+secret", "post")
{
    /// <summary>Skips when curl is not installed.</summary>
    public sealed class CurlFactAttribute : FactAttribute
    {
        public CurlFactAttribute()
        {
            if (!File.Exists("/usr/bin/curl")) Skip = "curl is not installed (apt-get install curl)";
        }
    }

    [CurlFact]
    public async Task The_printed_curl_command_uploads_the_file_under_the_policy()
    {
        Ok(Sluice("mb", "s3://forms"));
        string file = NewFile("photo.png", 50_000, 7);
        var presign = Ok(Sluice("presign", "--post", "--expires-in", "600", "--content-length-range", "1:60000",
            "--field", "Content-Type=image/png", "--condition", """["starts-with", "$x-amz-meta-note", ""]""", "s3://forms/in/${filename}"));
        var lines = presign.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal($"url: {Server.Endpoint.ToString().TrimEnd('/')}/forms/", lines[0]);
        Assert.Matches(@"^expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", lines[1]);
        Assert.Equal(["fields:", "  key: in/${filename}", "  Content-Type: image/png", "  x-amz-algorithm: AWS4-HMAC-SHA256"], lines[2..6]);
        Assert.StartsWith("curl: curl --form-string 'key=in/${filename}' ", lines[^1]);

        string command = lines[^1]["curl: ".Length..].Replace("'file=@FILE'", $"'file=@{file}'", StringComparison.Ordinal);
        var (code, output) = await RunAsync("bash", "-c", command + " -s -o /dev/null -w '%{http_code}' --form-string 'x-amz-meta-note=hi'");
        Assert.Equal((0, "204"), (code, output));
        Ok(Sluice("cp", "s3://forms/in/photo.png", Local("back.png")));
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Local("back.png")));
        Assert.Contains("Content-Type:  image/png", Ok(Sluice("stat", "s3://forms/in/photo.png")).StdOut);

        // Larger than the range allows: EntityTooLarge, nothing stored.
        string big = NewFile("big.png", 60_001, 8);
        var (_, refused) = await RunAsync("bash", "-c", lines[^1]["curl: ".Length..].Replace("'file=@FILE'", $"'file=@{big}'", StringComparison.Ordinal) + " -s");
        Assert.Contains("<Code>EntityTooLarge</Code>", refused);
        OneLineError(Sluice("stat", "s3://forms/in/big.png"), 1, "^sluice: ");
    }

    [Fact]
    public async Task The_json_record_and_the_client_api_give_fields_any_http_client_can_post()
    {
        Ok(Sluice("mb", "s3://api-forms"));
        var record = JsonDocument.Parse(Ok(Sluice("presign", "--post", "--json", "s3://api-forms/one.txt")).StdOut.Split('\n')[0]).RootElement;
        Assert.Equal("presign-post", record.GetProperty("type").GetString());
        var fields = record.GetProperty("fields").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NoContent, await PostAsync(http, new Uri(record.GetProperty("url").GetString()!), fields, "one"));

        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = Server.Endpoint,
            AccessKeyId = AccessKey,
            SecretAccessKey = Secret,
        });
        var form = client.PresignPost("api-forms", "two.txt", TimeSpan.FromMinutes(5), [new("x-amz-meta-by", "api")],
            [PostPolicyCondition.StartsWith("Content-Type", "text/")], (1, 10));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(http, form.Url, form.Fields, "0123456789", contentType: "image/png"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(http, form.Url, form.Fields, "0123456789A", contentType: "text/plain"));
        Assert.Equal(HttpStatusCode.NoContent, await PostAsync(http, form.Url, form.Fields, "0123456789", contentType: "text/plain"));
        Assert.Equal("0123456789", Ok(Sluice("cat", "s3://api-forms/two.txt")).StdOut);

        OneLineError(Sluice("presign", "--post", "--method", "PUT", "s3://b/k"), 2, "^sluice: presign: --method does not go with --post$");
        OneLineError(Sluice("presign", "--content-length-range", "1:2", "s3://b/k"), 2, "^sluice: presign: .* go with --post$");
        OneLineError(Sluice("presign", "--post", "--content-length-range", "5:1", "s3://b/k"), 2, "^sluice: presign: --content-length-range");
        OneLineError(Sluice("presign", "--post", "--condition", "[\"gt\", \"$key\", \"a\"]", "s3://b/k"), 2, "^sluice: presign: --condition");
        OneLineError(Sluice("presign", "--post", "--field", "novalue", "s3://b/k"), 2, "^sluice: presign: --field");
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, Uri url, IEnumerable<KeyValuePair<string, string>> fields,
        string content, string? contentType = null)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        if (contentType != null) form.Add(new StringContent(contentType), "Content-Type");
        form.Add(new ByteArrayContent(Encoding.ASCII.GetBytes(content)), "file", "upload.txt");
        using var response = await http.PostAsync(url, form);
        return response.StatusCode;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, output);
    }
}
