using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// `sluice policy get|set|rm` through the real executable against the embedded server: a policy set from a file and
/// from stdin, printed back as written, refused with the server's MalformedPolicy reason (nothing changed), removed.
/// </summary>
public sealed class PolicyCommandTests() : ServerCommandTests("AKIDPOL", "pol/secret", "policycli")
{
    private const string PublicRead =
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", " +
        "\"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::pcli/*\"}]\n}\n";

    private const string OwnAccount =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"}," +
        "\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::pcli\"}]}";

    [Fact]
    public void A_policy_is_set_read_refused_when_malformed_and_removed()
    {
        Ok(Sluice("mb", "s3://pcli"));
        OneLineError(Sluice("policy", "get", "s3://pcli"), 1, "no bucket policy");

        string file = Local("policy.json");
        File.WriteAllText(file, PublicRead);
        var set = Ok(Sluice("policy", "set", "s3://pcli", file));
        Assert.Contains("policy: s3://pcli: policy set (public)", set.StdOut + set.StdErr);
        Assert.Equal(PublicRead, Ok(Sluice("policy", "get", "s3://pcli")).StdOut);
        var json = JsonDocument.Parse(Ok(Sluice("policy", "get", "--json", "s3://pcli")).StdOut.Split('\n')[0]).RootElement;
        Assert.Equal("policy", json.GetProperty("type").GetString());
        Assert.Equal(PublicRead, json.GetProperty("document").GetString());
        Assert.True(json.GetProperty("public").GetBoolean());

        // From stdin; not public.
        var piped = SluiceProcess.Run(Environment(), Encoding.UTF8.GetBytes(OwnAccount), "policy", "set", "s3://pcli", "-");
        Assert.True(piped.ExitCode == 0, piped.StdErr);
        Assert.Contains("policy: s3://pcli: policy set", piped.StdOut + piped.StdErr);
        Assert.DoesNotContain("(public)", piped.StdOut + piped.StdErr);
        Assert.Equal(OwnAccount + "\n", Ok(Sluice("policy", "get", "s3://pcli")).StdOut);

        // The server's reason reaches the user; the stored policy is unchanged.
        File.WriteAllText(file, PublicRead.Replace("pcli/*", "elsewhere/*", StringComparison.Ordinal));
        OneLineError(Sluice("policy", "set", "s3://pcli", file), 1, "MalformedPolicy: Policy has invalid resource");
        OneLineError(Sluice("policy", "set", "s3://pcli", Local("missing.json")), 2, "missing.json");
        Assert.Equal(OwnAccount + "\n", Ok(Sluice("policy", "get", "s3://pcli")).StdOut);
        OneLineError(Sluice("policy", "get", "s3://pcli/key"), 2, "names an object");

        Ok(Sluice("policy", "rm", "s3://pcli"));
        OneLineError(Sluice("policy", "get", "s3://pcli"), 1, "no bucket policy");
        Ok(Sluice("policy", "rm", "s3://pcli"));
        OneLineError(Sluice("policy", "get", "s3://nosuchbucket"), 1, "NoSuchBucket");
    }
}
