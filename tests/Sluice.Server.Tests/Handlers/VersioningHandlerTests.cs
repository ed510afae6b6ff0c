using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Versioning as a never-versioned bucket answers it: GetBucketVersioning is an empty
/// configuration, ListObjectVersions lists each object once as its "null" version, latest — with prefix, delimiter,
/// paging by key-marker / version-id-marker and url encoding as ListObjects has them. Every front × both stores
/// (enabling versioning: ObjectVersioningTests).
/// </summary>
public class VersioningHandlerTests
{
    private static readonly string[] Keys = ["a.txt", "b/1.txt", "b/2.txt", "c d.txt", "e.txt"];

    private static List<string> Versions(string xml) =>
        Regex.Matches(xml, "<Version><Key>([^<]*)</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>")
            .Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    private static string? Element(string xml, string name) =>
        Regex.Match(xml, $"<{name}>([^<]*)</{name}>") is { Success: true } m ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task A_never_versioned_bucket_lists_each_object_as_its_null_version(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(404, (await c.SendAsync("GET", "/vers", "versions")).Status);
        Assert.Equal("NoSuchBucket", (await c.SendAsync("GET", "/vers", "versioning")).ErrorCode);
        Assert.Equal(200, (await c.SendAsync("PUT", "/vers")).Status);
        foreach (string key in Keys)
            Assert.Equal(200, (await c.PutObjectAsync("vers", key, System.Text.Encoding.UTF8.GetBytes(key))).Status);

        var versioning = await c.SendAsync("GET", "/vers", "versioning");
        Assert.Equal(200, versioning.Status);
        Assert.Contains("<VersioningConfiguration", versioning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<Status>", versioning.Text, StringComparison.Ordinal);

        var all = await c.SendAsync("GET", "/vers", "versions");
        Assert.Equal(200, all.Status);
        Assert.Equal(Keys, Versions(all.Text));
        Assert.DoesNotContain("<DeleteMarker>", all.Text, StringComparison.Ordinal);
        Assert.Contains($"<ETag>{S3TestClient.Md5ETag("a.txt"u8.ToArray()).Replace("\"", "&quot;", StringComparison.Ordinal)}</ETag><Size>5</Size>",
            all.Text, StringComparison.Ordinal);
        Assert.Equal("false", Element(all.Text, "IsTruncated"));

        // Rolled up at the delimiter; the prefix narrows.
        var rolled = await c.SendAsync("GET", "/vers", "versions&delimiter=%2F");
        Assert.Equal(["a.txt", "c d.txt", "e.txt"], Versions(rolled.Text));
        Assert.Contains("<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>", rolled.Text, StringComparison.Ordinal);
        Assert.Equal(["b/1.txt", "b/2.txt"], Versions((await c.SendAsync("GET", "/vers", "versions&prefix=b%2F")).Text));

        // Paged two at a time: each page says where the next starts, and the pages add up to the whole, once each.
        var seen = new List<string>();
        string query = "versions&max-keys=2";
        for (int pages = 0; ; pages++)
        {
            Assert.True(pages < Keys.Length, "the pages never ended");
            var page = await c.SendAsync("GET", "/vers", query);
            Assert.Equal(200, page.Status);
            seen.AddRange(Versions(page.Text));
            if (Element(page.Text, "IsTruncated") == "false") break;
            string next = Element(page.Text, "NextKeyMarker")!;
            Assert.Equal("null", Element(page.Text, "NextVersionIdMarker"));
            query = "versions&max-keys=2&key-marker=" + Uri.EscapeDataString(next) + "&version-id-marker=null";
        }
        Assert.Equal(Keys, seen);

        // A page ending on a common prefix continues after the prefix, with no version id marker.
        var onPrefix = await c.SendAsync("GET", "/vers", "versions&delimiter=%2F&max-keys=2");
        Assert.Equal("b/", Element(onPrefix.Text, "NextKeyMarker"));
        Assert.Null(Element(onPrefix.Text, "NextVersionIdMarker"));

        // encoding-type=url encodes keys; a version id marker that is not a version id is InvalidArgument, and
        // needs a key marker.
        Assert.Contains("<Key>c+d.txt</Key>", (await c.SendAsync("GET", "/vers", "versions&encoding-type=url")).Text, StringComparison.Ordinal);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/vers", "versions&key-marker=a.txt&version-id-marker=abc")).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/vers", "versions&version-id-marker=null")).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/vers", "versions&max-keys=-1")).ErrorCode);
    }
}
