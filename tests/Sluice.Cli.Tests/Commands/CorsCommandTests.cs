using System.Net;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice cors get|set|rm` through the real executable against the embedded server: rules set from awscli's JSON (a
/// file), the S3 console's bare array and XML (stdin), read back, refused when invalid (nothing sent), removed; a
/// preflight the rules allow answered by the server. And S3Client's ListBuckets pages.
/// </summary>
public sealed class CorsCommandTests() : ServerCommandTests("AKIDCORSCLI", "cors/cli+secret", "corscli")
{
    [Fact]
    public async Task Cors_rules_are_set_from_json_or_xml_read_back_refused_when_invalid_and_removed()
    {
        Ok(Sluice("mb", "s3://corscli"));
        OneLineError(Sluice("cors", "get", "s3://corscli"), 1, "no CORS configuration");

        string json = Local("cors.json");
        File.WriteAllText(json, """
            {"CORSRules": [
              {"ID": "web", "AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"],
               "AllowedHeaders": ["content-type", "x-amz-*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300},
              {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]}
            ]}
            """);
        var set = Ok(Sluice("cors", "set", "s3://corscli", json));
        Assert.Contains("cors: s3://corscli: 2 rule(s) set", set.StdOut + set.StdErr);
        string got = Ok(Sluice("cors", "get", "s3://corscli")).StdOut;
        Assert.Contains("<CORSRule><ID>web</ID><AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader>"
            + "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://app.example</AllowedOrigin>"
            + "<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule>", got);
        var record = JsonDocument.Parse(Ok(Sluice("cors", "get", "--json", "s3://corscli")).StdOut.Split('\n')[0]).RootElement;
        Assert.Equal(2, record.GetProperty("rules").GetInt32());

        // The server answers a preflight from the rules just set.
        using (var http = new HttpClient())
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(Server.Endpoint, "/corscli/k"));
            preflight.Headers.Add("Origin", "https://app.example");
            preflight.Headers.Add("Access-Control-Request-Method", "PUT");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
            using var answer = await http.SendAsync(preflight);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("https://app.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("GET, PUT", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        }

        // The console's bare array, and XML, from stdin.
        var array = SluiceProcess.Run(Environment(), Encoding.UTF8.GetBytes("""[{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]"""),
            "cors", "set", "s3://corscli", "-");
        Ok(array);
        Assert.Contains("<AllowedOrigin>*</AllowedOrigin>", Ok(Sluice("cors", "get", "s3://corscli")).StdOut);
        var xml = SluiceProcess.Run(Environment(), Encoding.UTF8.GetBytes(
            "<CORSConfiguration><CORSRule><AllowedMethod>DELETE</AllowedMethod><AllowedOrigin>http://*.example</AllowedOrigin></CORSRule></CORSConfiguration>"),
            "cors", "set", "s3://corscli", "-");
        Ok(xml);
        Assert.Contains("<AllowedOrigin>http://*.example</AllowedOrigin>", Ok(Sluice("cors", "get", "s3://corscli")).StdOut);

        // Refused before anything is sent: the rules stay.
        string bad = Local("bad.json");
        File.WriteAllText(bad, """{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}""");
        OneLineError(Sluice("cors", "set", "s3://corscli", bad), 2, "unsupported HTTP method.*PATCH");
        File.WriteAllText(bad, """{"CORSRules": [{"AllowedOrigins": ["*.*.example"], "AllowedMethods": ["GET"]}]}""");
        OneLineError(Sluice("cors", "set", "s3://corscli", bad), 2, "more than one wildcard");
        File.WriteAllText(bad, """{"CORSRules": []}""");
        OneLineError(Sluice("cors", "set", "s3://corscli", bad), 2, "1 to 100 rules");
        File.WriteAllText(bad, """{"CORSRules": [{"AllowedOrigin": ["*"], "AllowedMethods": ["GET"]}]}""");
        OneLineError(Sluice("cors", "set", "s3://corscli", bad), 2, "unknown rule member \"AllowedOrigin\"");
        File.WriteAllText(bad, "neither");
        OneLineError(Sluice("cors", "set", "s3://corscli", bad), 2, "neither XML nor JSON");
        OneLineError(Sluice("cors", "set", "s3://corscli", Local("missing.json")), 2, "missing.json");
        Assert.Contains("http://*.example", Ok(Sluice("cors", "get", "s3://corscli")).StdOut);

        Ok(Sluice("cors", "rm", "s3://corscli"));
        OneLineError(Sluice("cors", "get", "s3://corscli"), 1, "no CORS configuration");
        OneLineError(Sluice("cors", "get", "s3://nocorsbucket"), 1, "NoSuchBucket");
    }

    [Fact]
    public async Task S3Client_lists_buckets_in_pages()
    {
        foreach (string name in new[] { "page-b", "page-a", "page-c", "zz-other" }) Ok(Sluice("mb", "s3://" + name));
        await using var client = new Sluice.Client.S3Client(new Sluice.Client.S3ClientOptions
        {
            Endpoint = Server.Endpoint,
            AccessKeyId = AccessKey,
            SecretAccessKey = Secret,
        });
        var pages = new List<List<string>>();
        await foreach (var page in client.ListBucketsPagesAsync(maxBuckets: 2, prefix: "page-")) pages.Add([.. page.Buckets.Select(b => b.Name)]);
        Assert.Equal([["page-a", "page-b"], ["page-c"]], pages);
        var first = await client.ListBucketsPageAsync(1, prefix: "page-");
        Assert.Equal("page-", first.Prefix);
        Assert.NotNull(first.ContinuationToken);
        Assert.Empty((await client.ListBucketsPageAsync(10, bucketRegion: "ap-south-2")).Buckets);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListBucketsPageAsync(0));
    }
}
