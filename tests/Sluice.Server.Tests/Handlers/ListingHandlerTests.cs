using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>ListObjects V1/V2 through the server (served from the key index), and a restart keeping everything.</summary>
public class ListingHandlerTests
{
    private static List<string> Keys(string xml) =>
        Regex.Matches(xml, "<Contents><Key>([^<]*)</Key>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    private static string? Element(string xml, string name) =>
        Regex.Match(xml, $"<{name}>([^<]*)</{name}>") is { Success: true } m ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    [Fact]
    public async Task V2_and_V1_paginate_over_more_than_1000_keys_without_skips_or_repeats()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/many")).Status);
        var expected = Enumerable.Range(0, 1203).Select(i => $"k/{i:D5}").ToList();
        // Eight concurrent uploaders over the server's keep-alive connections.
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, _) => Assert.Equal(200, (await c.PutObjectAsync("many", key, [1])).Status));

        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            string query = "list-type=2" + (token != null ? "&continuation-token=" + Uri.EscapeDataString(token) : "");
            var page = await c.SendAsync("GET", "/many", query);
            Assert.Equal(200, page.Status);
            seen.AddRange(Keys(page.Text));
            token = Element(page.Text, "NextContinuationToken");
            Assert.Equal(token != null ? "true" : "false", Element(page.Text, "IsTruncated"));
            pages++;
        } while (token != null);
        Assert.Equal(expected, seen);
        Assert.Equal(2, pages);

        seen.Clear();
        string? marker = null;
        while (true)
        {
            string query = "max-keys=500" + (marker != null ? "&marker=" + Uri.EscapeDataString(marker) : "");
            var page = await c.SendAsync("GET", "/many", query);
            var keys = Keys(page.Text);
            Assert.Contains("<Owner>", page.Text); // V1 always lists owners
            seen.AddRange(keys);
            if (Element(page.Text, "IsTruncated") != "true") break;
            marker = keys[^1];
        }
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Prefix_delimiter_start_after_encoding_and_fetch_owner()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/tree")).Status);
        foreach (var key in new[] { "a/1", "a/2", "b/x/1", "b/y", "c", "d e+f" })
            Assert.Equal(200, (await c.PutObjectAsync("tree", key, [2])).Status);

        var top = await c.SendAsync("GET", "/tree", "list-type=2&delimiter=%2F");
        Assert.Equal(["c", "d e+f"], Keys(top.Text));
        Assert.Contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>", top.Text);
        Assert.Contains("<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>", top.Text);
        Assert.Equal("4", Element(top.Text, "KeyCount"));
        Assert.DoesNotContain("<Owner>", top.Text);

        var underB = await c.SendAsync("GET", "/tree", "list-type=2&prefix=b%2F&delimiter=%2F");
        Assert.Equal(["b/y"], Keys(underB.Text));
        Assert.Contains("<Prefix>b/x/</Prefix>", underB.Text);

        var after = await c.SendAsync("GET", "/tree", "list-type=2&start-after=b%2Fy&fetch-owner=true");
        Assert.Equal(["c", "d e+f"], Keys(after.Text));
        Assert.Contains("<Owner>", after.Text);

        var encoded = await c.SendAsync("GET", "/tree", "list-type=2&prefix=d&encoding-type=url");
        Assert.Contains("<Key>d+e%2Bf</Key>", encoded.Text);
        Assert.Contains("<EncodingType>url</EncodingType>", encoded.Text);

        var limited = await c.SendAsync("GET", "/tree", "list-type=2&max-keys=2");
        Assert.Equal(["a/1", "a/2"], Keys(limited.Text));
        Assert.Equal("true", Element(limited.Text, "IsTruncated"));

        // An empty token is no token: the whole listing, the empty token echoed.
        var emptyToken = await c.SendAsync("GET", "/tree", "list-type=2&continuation-token=");
        Assert.Equal(200, emptyToken.Status);
        Assert.Equal(Keys((await c.SendAsync("GET", "/tree", "list-type=2")).Text), Keys(emptyToken.Text));
        Assert.Contains("<ContinuationToken></ContinuationToken>", emptyToken.Text, StringComparison.Ordinal);

        // encoding-type=url encodes every field that holds a key or part of one: V2's Prefix, StartAfter and
        // Delimiter, V1's Prefix, Marker and Delimiter.
        var v2Fields = await c.SendAsync("GET", "/tree", "list-type=2&prefix=d%20&start-after=d%20&delimiter=%2B&encoding-type=url");
        Assert.Contains("<Prefix>d+</Prefix><StartAfter>d+</StartAfter>", v2Fields.Text, StringComparison.Ordinal);
        Assert.Contains("<Delimiter>%2B</Delimiter>", v2Fields.Text, StringComparison.Ordinal);
        Assert.Contains("<CommonPrefixes><Prefix>d+e%2B</Prefix></CommonPrefixes>", v2Fields.Text, StringComparison.Ordinal);
        var v1Fields = await c.SendAsync("GET", "/tree", "prefix=d%20&marker=d%20&delimiter=%2B&encoding-type=url");
        Assert.Contains("<Prefix>d+</Prefix><Marker>d+</Marker>", v1Fields.Text, StringComparison.Ordinal);
        Assert.Contains("<Delimiter>%2B</Delimiter>", v1Fields.Text, StringComparison.Ordinal);
        Assert.Contains("<CommonPrefixes><Prefix>d+e%2B</Prefix></CommonPrefixes>", v1Fields.Text, StringComparison.Ordinal);

        var badToken = await c.SendAsync("GET", "/tree", "list-type=2&continuation-token=%21%21");
        Assert.Equal("InvalidArgument", badToken.ErrorCode);
        var badMax = await c.SendAsync("GET", "/tree", "list-type=2&max-keys=-1");
        Assert.Equal("InvalidArgument", badMax.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.OnDisk), MemberType = typeof(Fronts))]
    public async Task A_restart_keeps_objects_listings_and_deletes(string engine)
    {
        await using var t = await TestServer.StartAsync(engine);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/keep")).Status);
        var bodies = new Dictionary<string, byte[]>();
        for (int i = 0; i < 20; i++)
        {
            bodies[$"o{i:D2}"] = RandomNumberGenerator.GetBytes(100 + i);
            Assert.Equal(200, (await c.PutObjectAsync("keep", $"o{i:D2}", bodies[$"o{i:D2}"])).Status);
        }
        Assert.Equal(204, (await c.SendAsync("DELETE", "/keep/o05")).Status);
        bodies.Remove("o05");

        await t.RestartAsync(engine);
        c = t.Client;
        var list = await c.SendAsync("GET", "/keep", "list-type=2");
        Assert.Equal(bodies.Keys.Order(StringComparer.Ordinal).ToList(), Keys(list.Text));
        foreach (var (key, body) in bodies) Assert.Equal(body, (await c.GetObjectAsync("keep", key)).Body);
        Assert.Contains("<Size>101</Size>", list.Text);
    }

    [Fact]
    public async Task A_lost_index_is_rebuilt_from_the_objects_at_start()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/rebuild")).Status);
        for (int i = 0; i < 10; i++) await c.PutObjectAsync("rebuild", $"r{i}", [(byte)i]);
        await t.Server.StopAsync();
        Directory.Delete(Path.Combine(t.Directory, ".index", "rebuild"), recursive: true);
        await t.RestartAsync();
        var list = await t.Client.SendAsync("GET", "/rebuild", "list-type=2");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"r{i}").ToList(), Keys(list.Text));
    }

    [Fact]
    public async Task Concurrent_overwrites_leave_the_listing_agreeing_with_the_object()
    {
        await using var t = await TestServer.StartAsync();
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/race")).Status);
        await Parallel.ForEachAsync(Enumerable.Range(1, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (n, _) => Assert.Equal(200, (await c.PutObjectAsync("race", "same", new byte[n])).Status));
        var head = await c.SendAsync("HEAD", "/race/same");
        var list = await c.SendAsync("GET", "/race", "list-type=2");
        Assert.Equal(head.Header("Content-Length"), Element(list.Text, "Size"));
        Assert.Equal(head.Header("ETag"), Element(list.Text, "ETag"));
    }

    [Fact]
    public async Task Object_requests_to_a_missing_bucket_create_no_index()
    {
        await using var t = await TestServer.StartAsync();
        Assert.Equal("NoSuchBucket", (await t.Client.SendAsync("DELETE", "/ghost/k")).ErrorCode);
        Assert.Equal("NoSuchBucket", (await t.Client.PutObjectAsync("ghost", "k", [1])).ErrorCode);
        Assert.False(Directory.Exists(Path.Combine(t.Directory, ".index", "ghost")));
    }
}
