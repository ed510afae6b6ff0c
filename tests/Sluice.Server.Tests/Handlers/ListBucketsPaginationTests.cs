using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>ListBuckets with AWS's pagination parameters, every front × both stores: pages of max-buckets in name order
/// chained by an opaque continuation token, prefix and bucket-region filters, and the refusals of bad values.</summary>
public class ListBucketsPaginationTests
{
    private static List<string> Names(S3Response r) =>
        Regex.Matches(r.Text, "<Name>([^<]*)</Name>").Select(m => m.Groups[1].Value).ToList();

    private static string? Element(S3Response r, string name) =>
        Regex.Match(r.Text, $"<{name}>([^<]*)</{name}>") is { Success: true } m ? m.Groups[1].Value : null;

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Buckets_are_listed_in_pages_filtered_by_prefix_and_region(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        string[] names = ["pg-c", "pg-a", "other-1", "pg-b", "pg-d", "other-2"];
        foreach (string name in names) Assert.Equal(200, (await c.SendAsync("PUT", "/" + name)).Status);

        // No parameter: every bucket, no token, no prefix element (the answer as before pagination).
        var all = await c.SendAsync("GET", "/");
        Assert.Equal(names.Order(StringComparer.Ordinal), Names(all).Order(StringComparer.Ordinal));
        Assert.Null(Element(all, "ContinuationToken"));
        Assert.Null(Element(all, "Prefix"));

        // Pages of two, following the token to the end.
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await c.SendAsync("GET", "/", "max-buckets=2" + (token != null ? "&continuation-token=" + Uri.EscapeDataString(token) : ""));
            Assert.True(page.Status == 200, page.Text);
            Assert.True(Names(page).Count <= 2);
            seen.AddRange(Names(page));
            token = Element(page, "ContinuationToken");
            pages++;
        } while (token != null);
        Assert.Equal(names.Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, pages);

        var prefixed = await c.SendAsync("GET", "/", "prefix=pg-&max-buckets=3");
        Assert.Equal(["pg-a", "pg-b", "pg-c"], Names(prefixed));
        Assert.Equal("pg-", Element(prefixed, "Prefix"));
        var rest = await c.SendAsync("GET", "/", "prefix=pg-&max-buckets=3&continuation-token=" + Uri.EscapeDataString(Element(prefixed, "ContinuationToken")!));
        Assert.Equal(["pg-d"], Names(rest));
        Assert.Null(Element(rest, "ContinuationToken"));

        Assert.Equal(6, Names(await c.SendAsync("GET", "/", "bucket-region=" + S3TestClient.Region)).Count);
        var elsewhere = await c.SendAsync("GET", "/", "bucket-region=eu-west-3");
        Assert.Equal(200, elsewhere.Status);
        Assert.Empty(Names(elsewhere));

        foreach (string bad in new[] { "max-buckets=0", "max-buckets=10001", "max-buckets=-1", "max-buckets=x", "max-buckets=" })
        {
            var r = await c.SendAsync("GET", "/", bad);
            Assert.True(r.Status == 400 && r.ErrorCode == "InvalidArgument", $"{bad}: {r.Status} {r.Text}");
        }
        Assert.Equal(200, (await c.SendAsync("GET", "/", "max-buckets=10000")).Status);
        foreach (string bad in new[] { "continuation-token=", "continuation-token=not-a-token!", "continuation-token=QQ" })
        {
            var r = await c.SendAsync("GET", "/", bad);
            Assert.True(r.Status == 400 && r.ErrorCode == "InvalidArgument", $"{bad}: {r.Status} {r.Text}");
        }
    }
}
