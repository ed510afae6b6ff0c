using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Versioning as AWS S3 has it, over real HTTP on every front × store: PutBucketVersioning (Enabled, Suspended, never
/// back, MFA refused, malformed XML), version ids on writes, delete markers, reads and deletes by versionId, copies
/// from a version, tagging by version, DeleteObjects with version ids, and ListObjectVersions paging over versions
/// and markers while ListObjects shows only current, non-marker versions.
/// </summary>
public class ObjectVersioningTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static readonly byte[] EnableXml = B("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
    private static readonly byte[] SuspendXml = B("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");

    /// <summary>(element, key, version id, latest) of each Version / DeleteMarker, in document order.</summary>
    internal static List<(string Kind, string Key, string Id, bool Latest)> Listed(string xml) =>
        Regex.Matches(xml, "<(Version|DeleteMarker)><Key>([^<]*)</Key><VersionId>([^<]*)</VersionId><IsLatest>(true|false)</IsLatest>")
            .Select(m => (m.Groups[1].Value, Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(m.Groups[2].Value)), m.Groups[3].Value, m.Groups[4].Value == "true"))
            .ToList();

    private static string? Element(string xml, string name) =>
        Regex.Match(xml, $"<{name}>([^<]*)</{name}>") is { Success: true } m ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private static async Task<string> PutAsync(S3TestClient c, string bucket, string key, string body)
    {
        var r = await c.PutObjectAsync(bucket, key, B(body));
        Assert.Equal(200, r.Status);
        return r.Header("x-amz-version-id")!;
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Bucket_versioning_is_enabled_and_suspended_never_turned_off_and_MFA_is_refused(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vb")).Status);
        Assert.Equal(200, (await c.PutObjectAsync("ver-vb", "before", B("old"))).Status);
        // Never versioned: no x-amz-version-id on writes.
        Assert.Null((await c.PutObjectAsync("ver-vb", "plain", B("x"))).Header("x-amz-version-id"));

        Assert.Equal("MalformedXML", (await c.SendAsync("PUT", "/ver-vb", "versioning", B("<VersioningConfiguration><Status>Enabled"))).ErrorCode);
        Assert.Equal("MalformedXML", (await c.SendAsync("PUT", "/ver-vb", "versioning",
            B("<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>"))).ErrorCode);
        var mfa = await c.SendAsync("PUT", "/ver-vb", "versioning",
            B("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>"));
        Assert.Equal(501, mfa.Status);
        Assert.Equal("NotImplemented", mfa.ErrorCode);
        var mfaHeader = await c.SendAsync("PUT", "/ver-vb", "versioning", EnableXml, [("x-amz-mfa", "arn:aws:iam::1:mfa/root 123456")]);
        Assert.Equal(501, mfaHeader.Status);
        Assert.DoesNotContain("<Status>", (await c.SendAsync("GET", "/ver-vb", "versioning")).Text, StringComparison.Ordinal);

        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vb", "versioning", EnableXml)).Status);
        Assert.Contains("<Status>Enabled</Status>", (await c.SendAsync("GET", "/ver-vb", "versioning")).Text, StringComparison.Ordinal);
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vb", "versioning", SuspendXml)).Status);
        Assert.Contains("<Status>Suspended</Status>", (await c.SendAsync("GET", "/ver-vb", "versioning")).Text, StringComparison.Ordinal);
        // A configuration without a Status changes nothing: there is no way back to unversioned.
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vb", "versioning", B("<VersioningConfiguration/>"))).Status);
        Assert.Contains("<Status>Suspended</Status>", (await c.SendAsync("GET", "/ver-vb", "versioning")).Text, StringComparison.Ordinal);
        Assert.Equal("NoSuchBucket", (await c.SendAsync("PUT", "/nobucket", "versioning", EnableXml)).ErrorCode);
        // A DELETE with x-amz-mfa is refused too, and deletes nothing.
        Assert.Equal(501, (await c.SendAsync("DELETE", "/ver-vb/before", null, null, [("x-amz-mfa", "x 1")])).Status);
        Assert.Equal(200, (await c.GetObjectAsync("ver-vb", "before")).Status);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Versions_delete_markers_and_reads_by_version_id_behave_as_S3(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vv")).Status);
        Assert.Equal(200, (await c.PutObjectAsync("ver-vv", "k", B("v0"))).Status); // written before versioning: the null version
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vv", "versioning", EnableXml)).Status);

        string v1 = await PutAsync(c, "ver-vv", "k", "one");
        string v2 = await PutAsync(c, "ver-vv", "k", "two");
        Assert.Equal(32, v1.Length);
        Assert.NotEqual(v1, v2);
        var get = await c.GetObjectAsync("ver-vv", "k");
        Assert.Equal("two", get.Text);
        Assert.Equal(v2, get.Header("x-amz-version-id"));
        Assert.Equal("one", (await c.SendAsync("GET", "/ver-vv/k", "versionId=" + v1)).Text);
        Assert.Equal(v1, (await c.SendAsync("HEAD", "/ver-vv/k", "versionId=" + v1)).Header("x-amz-version-id"));
        Assert.Equal("v0", (await c.SendAsync("GET", "/ver-vv/k", "versionId=null")).Text);
        Assert.Equal("NoSuchVersion", (await c.SendAsync("GET", "/ver-vv/k", "versionId=" + v1[..^4] + "AAAA")).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/ver-vv/k", "versionId=not-an-id")).ErrorCode);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/ver-vv/k", "versionId=")).ErrorCode);
        // PutObject does not take a versionId: refused rather than ignored.
        Assert.Equal(501, (await c.SendAsync("PUT", "/ver-vv/k", "versionId=" + v1, B("x"))).Status);

        // ListObjectVersions: the current version first, then older ones newest first.
        var listed = Listed((await c.SendAsync("GET", "/ver-vv", "versions")).Text);
        Assert.Equal([("Version", "k", v2, true), ("Version", "k", v1, false), ("Version", "k", "null", false)], listed);

        // A delete without a version id adds a delete marker: the key reads as absent (with the marker's headers).
        var del = await c.SendAsync("DELETE", "/ver-vv/k");
        Assert.Equal(204, del.Status);
        Assert.Equal("true", del.Header("x-amz-delete-marker"));
        string marker = del.Header("x-amz-version-id")!;
        Assert.Equal(32, marker.Length);
        var gone = await c.GetObjectAsync("ver-vv", "k");
        Assert.Equal(404, gone.Status);
        Assert.Equal("NoSuchKey", gone.ErrorCode);
        Assert.Equal("true", gone.Header("x-amz-delete-marker"));
        Assert.Equal(marker, gone.Header("x-amz-version-id"));
        var headGone = await c.SendAsync("HEAD", "/ver-vv/k");
        Assert.Equal(404, headGone.Status);
        Assert.Equal("true", headGone.Header("x-amz-delete-marker"));
        var onMarker = await c.SendAsync("GET", "/ver-vv/k", "versionId=" + marker);
        Assert.Equal(405, onMarker.Status);
        Assert.Equal("MethodNotAllowed", onMarker.ErrorCode);
        Assert.Equal("true", onMarker.Header("x-amz-delete-marker"));
        Assert.DoesNotContain("<Key>k</Key>", (await c.SendAsync("GET", "/ver-vv", "list-type=2")).Text, StringComparison.Ordinal);
        Assert.Equal("two", (await c.SendAsync("GET", "/ver-vv/k", "versionId=" + v2)).Text);
        listed = Listed((await c.SendAsync("GET", "/ver-vv", "versions")).Text);
        Assert.Equal([("DeleteMarker", "k", marker, true), ("Version", "k", v2, false), ("Version", "k", v1, false), ("Version", "k", "null", false)], listed);

        // Deleting the marker by id undeletes: v2 is current again.
        var undelete = await c.SendAsync("DELETE", "/ver-vv/k", "versionId=" + marker);
        Assert.Equal(204, undelete.Status);
        Assert.Equal("true", undelete.Header("x-amz-delete-marker"));
        Assert.Equal(marker, undelete.Header("x-amz-version-id"));
        Assert.Equal("two", (await c.GetObjectAsync("ver-vv", "k")).Text);
        Assert.Contains("<Key>k</Key>", (await c.SendAsync("GET", "/ver-vv", "list-type=2")).Text, StringComparison.Ordinal);

        // Deleting the current version by id makes the next newest current; an older one just goes.
        var removeCurrent = await c.SendAsync("DELETE", "/ver-vv/k", "versionId=" + v2);
        Assert.Equal(204, removeCurrent.Status);
        Assert.Null(removeCurrent.Header("x-amz-delete-marker"));
        Assert.Equal(v2, removeCurrent.Header("x-amz-version-id"));
        Assert.Equal("one", (await c.GetObjectAsync("ver-vv", "k")).Text);
        Assert.Equal("NoSuchVersion", (await c.SendAsync("GET", "/ver-vv/k", "versionId=" + v2)).ErrorCode);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/ver-vv/k", "versionId=null")).Status);
        Assert.Equal("NoSuchVersion", (await c.SendAsync("GET", "/ver-vv/k", "versionId=null")).ErrorCode);
        Assert.Equal([("Version", "k", v1, true)], Listed((await c.SendAsync("GET", "/ver-vv", "versions")).Text));
        // A version id that names nothing: 204, as S3 answers a delete of what is not there.
        Assert.Equal(204, (await c.SendAsync("DELETE", "/ver-vv/k", "versionId=" + v2)).Status);

        // A bucket holding only versions or markers is not empty.
        Assert.Equal(204, (await c.SendAsync("DELETE", "/ver-vv/k")).Status);
        Assert.Equal("BucketNotEmpty", (await c.SendAsync("DELETE", "/ver-vv")).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Suspended_versioning_replaces_the_null_version_and_keeps_the_others(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vs")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vs", "versioning", EnableXml)).Status);
        string v1 = await PutAsync(c, "ver-vs", "k", "one");
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vs", "versioning", SuspendXml)).Status);
        Assert.Equal("null", await PutAsync(c, "ver-vs", "k", "n1"));
        Assert.Equal("null", await PutAsync(c, "ver-vs", "k", "n2")); // replaces n1
        Assert.Equal([("Version", "k", "null", true), ("Version", "k", v1, false)], Listed((await c.SendAsync("GET", "/ver-vs", "versions")).Text));
        Assert.Equal("n2", (await c.SendAsync("GET", "/ver-vs/k", "versionId=null")).Text);

        // A delete while suspended: a null delete marker that replaces the null version.
        var del = await c.SendAsync("DELETE", "/ver-vs/k");
        Assert.Equal("true", del.Header("x-amz-delete-marker"));
        Assert.Equal("null", del.Header("x-amz-version-id"));
        Assert.Equal([("DeleteMarker", "k", "null", true), ("Version", "k", v1, false)], Listed((await c.SendAsync("GET", "/ver-vs", "versions")).Text));
        Assert.Equal(404, (await c.GetObjectAsync("ver-vs", "k")).Status);

        // Enabled again: new versions stack on the null marker.
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vs", "versioning", EnableXml)).Status);
        string v3 = await PutAsync(c, "ver-vs", "k", "three");
        Assert.Equal([("Version", "k", v3, true), ("DeleteMarker", "k", "null", false), ("Version", "k", v1, false)],
            Listed((await c.SendAsync("GET", "/ver-vs", "versions")).Text));
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task Copies_tags_multipart_and_DeleteObjects_take_version_ids(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vc")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vc", "versioning", EnableXml)).Status);
        string v1 = await PutAsync(c, "ver-vc", "src", "first");
        string v2 = await PutAsync(c, "ver-vc", "src", "second");

        // CopyObject from an older version: the destination gets a new version id and names the source's.
        var copy = await c.SendAsync("PUT", "/ver-vc/dst", null, null, [("x-amz-copy-source", "/ver-vc/src?versionId=" + v1)]);
        Assert.Equal(200, copy.Status);
        Assert.Equal(v1, copy.Header("x-amz-copy-source-version-id"));
        Assert.Equal(32, copy.Header("x-amz-version-id")!.Length);
        Assert.Equal("first", (await c.GetObjectAsync("ver-vc", "dst")).Text);
        Assert.Equal("InvalidArgument", (await c.SendAsync("PUT", "/ver-vc/dst2", null, null, [("x-amz-copy-source", "/ver-vc/src?versionId=bogus")])).ErrorCode);
        // Copying a version over its own key restores it as the newest version.
        var restore = await c.SendAsync("PUT", "/ver-vc/src", null, null, [("x-amz-copy-source", "/ver-vc/src?versionId=" + v1)]);
        Assert.Equal(200, restore.Status);
        Assert.Equal("first", (await c.GetObjectAsync("ver-vc", "src")).Text);

        // Tagging by version: the tags go on the version named, not on the current one.
        var tagging = B("<Tagging><TagSet><Tag><Key>old</Key><Value>yes</Value></Tag></TagSet></Tagging>");
        var put = await c.SendAsync("PUT", "/ver-vc/src", "tagging&versionId=" + v2, tagging, [("Content-MD5", S3TestClient.Md5Base64(tagging))]);
        Assert.Equal(200, put.Status);
        Assert.Equal(v2, put.Header("x-amz-version-id"));
        Assert.Contains("<Key>old</Key>", (await c.SendAsync("GET", "/ver-vc/src", "tagging&versionId=" + v2)).Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<Key>old</Key>", (await c.SendAsync("GET", "/ver-vc/src", "tagging")).Text, StringComparison.Ordinal);
        Assert.Equal(204, (await c.SendAsync("DELETE", "/ver-vc/src", "tagging&versionId=" + v2)).Status);
        Assert.DoesNotContain("<Key>old</Key>", (await c.SendAsync("GET", "/ver-vc/src", "tagging&versionId=" + v2)).Text, StringComparison.Ordinal);
        // GetObjectAttributes by version.
        var attributes = await c.SendAsync("GET", "/ver-vc/src", "attributes&versionId=" + v2, null, [("x-amz-object-attributes", "ObjectSize")]);
        Assert.Equal("6", Element(attributes.Text, "ObjectSize"));
        Assert.Equal(v2, attributes.Header("x-amz-version-id"));

        // CompleteMultipartUpload answers the new version's id.
        var create = await c.SendAsync("POST", "/ver-vc/mp", "uploads");
        string uploadId = Element(create.Text, "UploadId")!;
        var part = await c.SendAsync("PUT", "/ver-vc/mp", "partNumber=1&uploadId=" + uploadId, B("part"));
        var complete = await c.SendAsync("POST", "/ver-vc/mp", "uploadId=" + uploadId,
            B($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Header("ETag")}</ETag></Part></CompleteMultipartUpload>"));
        Assert.Equal(200, complete.Status);
        string mpVersion = complete.Header("x-amz-version-id")!;
        Assert.Equal(32, mpVersion.Length);
        Assert.Equal("part", (await c.SendAsync("GET", "/ver-vc/mp", "partNumber=1&versionId=" + mpVersion)).Text);

        // DeleteObjects: a version removed by id, and a delete marker added for a key without one.
        var request = B($"<Delete><Object><Key>src</Key><VersionId>{v1}</VersionId></Object><Object><Key>dst</Key></Object></Delete>");
        var multi = await c.SendAsync("POST", "/ver-vc", "delete", request, [("Content-MD5", S3TestClient.Md5Base64(request))]);
        Assert.Equal(200, multi.Status);
        Assert.Contains($"<Deleted><Key>src</Key><VersionId>{v1}</VersionId></Deleted>", multi.Text, StringComparison.Ordinal);
        var dstMarker = Regex.Match(multi.Text, "<Deleted><Key>dst</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>([^<]+)</DeleteMarkerVersionId></Deleted>");
        Assert.True(dstMarker.Success, multi.Text);
        Assert.Equal("NoSuchVersion", (await c.SendAsync("GET", "/ver-vc/src", "versionId=" + v1)).ErrorCode);
        // ...and the marker removed by id in a second DeleteObjects says it was a marker.
        request = B($"<Delete><Object><Key>dst</Key><VersionId>{dstMarker.Groups[1].Value}</VersionId></Object></Delete>");
        multi = await c.SendAsync("POST", "/ver-vc", "delete", request, [("Content-MD5", S3TestClient.Md5Base64(request))]);
        Assert.Contains($"<DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>{dstMarker.Groups[1].Value}</DeleteMarkerVersionId>", multi.Text, StringComparison.Ordinal);
        Assert.Equal("first", (await c.GetObjectAsync("ver-vc", "dst")).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts.All), MemberType = typeof(Fronts))]
    public async Task ListObjectVersions_pages_prefixes_and_markers_over_many_versions(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vl")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-vl", "versioning", EnableXml)).Status);
        // Keys that extend another key ("a", "a!", "ab") never mix their versions (VersionKeysTests covers NUL bytes).
        string[] keys = ["a", "a!", "a.b", "ab", "d/1", "d/2", "e"];
        var expected = new List<(string Kind, string Key, string Id, bool Latest)>();
        foreach (string key in keys)
        {
            var ids = new List<string>();
            for (int i = 0; i < 3; i++) ids.Add(await PutAsync(c, "ver-vl", key, key + i));
            string? marker = null;
            if (key == "ab")
            {
                var del = await c.SendAsync("DELETE", "/ver-vl/" + S3TestClient.EncodeKey(key));
                marker = del.Header("x-amz-version-id");
                expected.Add(("DeleteMarker", key, marker!, true));
            }
            for (int i = 2; i >= 0; i--) expected.Add(("Version", key, ids[i], i == 2 && marker == null));
        }

        Assert.Equal(expected, Listed((await c.SendAsync("GET", "/ver-vl", "versions&encoding-type=url")).Text));
        // ListObjects shows current, non-marker versions only (ab's newest is a marker).
        var v2 = (await c.SendAsync("GET", "/ver-vl", "list-type=2&encoding-type=url")).Text;
        Assert.Equal(6, Regex.Count(v2, "<Contents>"));
        Assert.DoesNotContain("<Key>ab</Key>", v2, StringComparison.Ordinal);

        foreach (int pageSize in new[] { 1, 2, 4, 5 })
        {
            var seen = new List<(string, string, string, bool)>();
            string query = "versions&encoding-type=url&max-keys=" + pageSize;
            for (int pages = 0; ; pages++)
            {
                Assert.True(pages <= expected.Count, "the pages never ended");
                var page = (await c.SendAsync("GET", "/ver-vl", query)).Text;
                var items = Listed(page);
                Assert.True(items.Count <= pageSize);
                seen.AddRange(items);
                if (Element(page, "IsTruncated") == "false") break;
                query = "versions&encoding-type=url&max-keys=" + pageSize + "&key-marker=" + Uri.EscapeDataString(Uri.UnescapeDataString(Element(page, "NextKeyMarker")!))
                    + "&version-id-marker=" + Element(page, "NextVersionIdMarker");
            }
            Assert.Equal(expected, seen);
        }

        // Delimiter: d/ is one common prefix however many versions lie under it; prefix narrows to one key's history.
        var rolled = Uri.UnescapeDataString((await c.SendAsync("GET", "/ver-vl", "versions&encoding-type=url&delimiter=%2F")).Text);
        Assert.Contains("<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>", rolled, StringComparison.Ordinal);
        Assert.DoesNotContain("<Key>d/1</Key>", rolled, StringComparison.Ordinal);
        // 13 versions and markers come before d/, the 14th item: a page of 14 ends on it and the next starts after it.
        var onPrefix = (await c.SendAsync("GET", "/ver-vl", "versions&delimiter=%2F&max-keys=14")).Text;
        Assert.Equal("true", Element(onPrefix, "IsTruncated"));
        Assert.Equal("d/", Element(onPrefix, "NextKeyMarker"));
        Assert.Null(Element(onPrefix, "NextVersionIdMarker"));
        var afterPrefix = (await c.SendAsync("GET", "/ver-vl", "versions&delimiter=%2F&key-marker=d%2F")).Text;
        Assert.DoesNotContain("<CommonPrefixes>", afterPrefix, StringComparison.Ordinal);
        Assert.Equal(["e", "e", "e"], Listed(afterPrefix).Select(v => v.Key));
        // A marker inside a rolled-up prefix continues after the prefix too.
        Assert.Equal(["e", "e", "e"], Listed((await c.SendAsync("GET", "/ver-vl", "versions&delimiter=%2F&key-marker=d%2F1")).Text).Select(v => v.Key));
        Assert.Equal(["d/1", "d/1", "d/1"], Listed((await c.SendAsync("GET", "/ver-vl", "versions&prefix=d%2F1")).Text).Select(v => v.Key));
        // After a key-marker alone: the next key's versions.
        Assert.Equal("d/1", Listed((await c.SendAsync("GET", "/ver-vl", "versions&key-marker=ab")).Text)[0].Key);
        Assert.Equal("InvalidArgument", (await c.SendAsync("GET", "/ver-vl", "versions&key-marker=a&version-id-marker=zzz")).ErrorCode);
    }

    [Theory]
    [InlineData("inprocess/memory")]
    [InlineData("uring/memory")]
    [InlineData("inprocess")]
    [InlineData("uring")]
    public async Task Concurrent_writes_and_deletes_of_one_key_leave_one_ordered_history(string front)
    {
        await using var t = await TestServer.StartAsync(front);
        var c = t.Client;
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-race")).Status);
        Assert.Equal(200, (await c.SendAsync("PUT", "/ver-race", "versioning", EnableXml)).Status);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var r = i % 4 == 3 ? await c.SendAsync("DELETE", "/ver-race/k") : await c.PutObjectAsync("ver-race", "k", B("body " + i));
            Assert.True(r.Status is 200 or 204, r.Text);
            acknowledged.Add(r.Header("x-amz-version-id")!);
        }));
        var listed = Listed((await c.SendAsync("GET", "/ver-race", "versions")).Text);
        // Every acknowledged version and marker is listed once, exactly one is latest (the first), newest first.
        Assert.Equal(acknowledged.OrderBy(id => id, StringComparer.Ordinal), listed.Select(v => v.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.Equal(1, listed.Count(v => v.Latest));
        Assert.True(listed[0].Latest);
        var noncurrent = listed.Skip(1).Select(v => v.Id).ToList();
        Assert.Equal(noncurrent.OrderBy(id => id, StringComparer.Ordinal), noncurrent);
        // What GET answers agrees with the listing's latest entry.
        var get = await c.GetObjectAsync("ver-race", "k");
        Assert.Equal(listed[0].Id, get.Header("x-amz-version-id"));
        Assert.Equal(listed[0].Kind == "DeleteMarker" ? 404 : 200, get.Status);
    }
}
