using System.Security.Cryptography;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

public class MultipartTests
{
    private const int FiveMiB = 5 << 20;

    private static async Task<PartInfo> UploadPartAsync(ObjectStore store, string key, string uploadId, int number, byte[] body,
        string? expectedChecksum = null)
    {
        await using var writer = await store.BeginUploadPartAsync("bucket", key, uploadId, number);
        for (int at = 0; at < body.Length; at += 1 << 20)
            await writer.WriteAsync(body.AsMemory(at, Math.Min(1 << 20, body.Length - at)));
        return await writer.CommitAsync(expectedChecksum: expectedChecksum);
    }

    /// <summary>S3's multipart ETag computed here from the parts' bytes: MD5 of the binary part MD5s, "-N".</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "S3 ETags are MD5 by definition.")]
    private static string ExpectedETag(params byte[][] parts) =>
        "\"" + Convert.ToHexStringLower(MD5.HashData(parts.SelectMany(p => MD5.HashData(p)).ToArray())) + "-" + parts.Length + "\"";

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Complete_assembles_the_parts_with_S3s_ETag_and_ranges_span_part_boundaries(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var attributes = new ObjectAttributes { ContentType = "application/x-test", UserMetadata = [StorageAssert.Pair("a", "b")] };
        var upload = await f.Store.CreateMultipartUploadAsync("bucket", "big/object", attributes);
        Assert.Equal(22, upload.UploadId.Length);
        byte[] p1 = StoreFixture.Pattern(FiveMiB, 1), p2 = StoreFixture.Pattern(FiveMiB + 4097, 2), p3 = StoreFixture.Pattern(1234, 3);
        // Out of order, and part 2 uploaded twice (the second replaces the first).
        var i3 = await UploadPartAsync(f.Store, "big/object", upload.UploadId, 3, p3);
        await UploadPartAsync(f.Store, "big/object", upload.UploadId, 2, StoreFixture.Pattern(FiveMiB, 99));
        var i2 = await UploadPartAsync(f.Store, "big/object", upload.UploadId, 2, p2);
        var i1 = await UploadPartAsync(f.Store, "big/object", upload.UploadId, 1, p1);
        Assert.Equal(StorageAssert.Md5ETag(p2), i2.ETag);
        var listed = await f.Store.ListPartsAsync("bucket", "big/object", upload.UploadId);
        Assert.Equal([1, 2, 3], listed.Select(p => p.PartNumber));
        Assert.Equal([p1.Length, p2.Length, (long)p3.Length], listed.Select(p => p.Size));
        Assert.Equal([i1.ETag, i2.ETag, i3.ETag], listed.Select(p => p.ETag));
        Assert.Single(await f.Store.ListMultipartUploadsAsync("bucket"));

        var done = await f.Store.CompleteMultipartUploadAsync("bucket", "big/object", upload.UploadId,
            [new(1, i1.ETag), new(2, i2.ETag.Trim('"')), new(3, i3.ETag.ToUpperInvariant())]);
        Assert.Equal(ExpectedETag(p1, p2, p3), done.ETag);
        Assert.Equal(3, done.PartCount);
        Assert.Empty(await f.Store.ListMultipartUploadsAsync("bucket"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () => await f.Store.ListPartsAsync("bucket", "big/object", upload.UploadId));

        await f.ReopenAsync();
        byte[] whole = [.. p1, .. p2, .. p3];
        var head = await f.Store.HeadAsync("bucket", "big/object");
        Assert.Equal(done.ETag, head.ETag);
        Assert.Equal(whole.Length, head.Size);
        Assert.Equal("application/x-test", head.Attributes.ContentType);
        Assert.Equal(StorageAssert.Meta(attributes.UserMetadata), StorageAssert.Meta(head.Attributes.UserMetadata));
        await using var reader = await f.Store.OpenReadAsync("bucket", "big/object");
        Assert.Equal(whole, await StoreFixture.ReadRangeAsync(reader, 0, whole.Length));
        // Ranges across the part 1/2 and 2/3 boundaries, and the last byte.
        foreach (var (start, count) in new (long, long)[] { (FiveMiB - 10, 20), (FiveMiB + FiveMiB + 4097 - 5, 1239), (whole.Length - 1, 1) })
            Assert.Equal(whole.AsSpan((int)start, (int)count).ToArray(), await StoreFixture.ReadRangeAsync(reader, start, count));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".multipart", "bucket")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Complete_validates_order_parts_etags_and_sizes(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var upload = await f.Store.CreateMultipartUploadAsync("bucket", "k");
        string id = upload.UploadId;
        var small = await UploadPartAsync(f.Store, "k", id, 1, StoreFixture.Pattern(100, 1));
        var big = await UploadPartAsync(f.Store, "k", id, 2, StoreFixture.Pattern(FiveMiB, 2));
        var last = await UploadPartAsync(f.Store, "k", id, 3, StoreFixture.Pattern(10, 3));

        await StorageAssert.FailsWith(S3ErrorCode.InvalidPartOrder, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(2, big.ETag), new(1, small.ETag)]));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidPartOrder, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(2, big.ETag), new(2, big.ETag)]));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidPart, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(2, big.ETag), new(4, last.ETag)]));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidPart, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(2, big.ETag), new(3, small.ETag)]));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidPart, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(2, "garbage")]));
        var tooSmall = await StorageAssert.FailsWith(S3ErrorCode.EntityTooSmall, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(1, small.ETag), new(2, big.ETag)]));
        Assert.Equal("1", tooSmall.Error.GetDetail("PartNumber"));
        await StorageAssert.FailsWith(S3ErrorCode.MalformedXML, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, []));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "other-key", id, [new(2, big.ETag)]));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", "../../../../etc/passwd", [new(2, big.ETag)]));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () =>
            await f.Store.BeginUploadPartAsync("bucket", "k", "AAAAAAAAAAAAAAAAAAAAAA", 1));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidArgument, async () => await f.Store.BeginUploadPartAsync("bucket", "k", id, 0));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidArgument, async () => await f.Store.BeginUploadPartAsync("bucket", "k", id, 10_001));
        // None of that disturbed the upload: a valid list (a single small last part is fine) completes.
        var done = await f.Store.CompleteMultipartUploadAsync("bucket", "k", id, [new(2, big.ETag), new(3, last.ETag)]);
        Assert.Equal(ExpectedETag(StoreFixture.Pattern(FiveMiB, 2), StoreFixture.Pattern(10, 3)), done.ETag);
        Assert.Equal(FiveMiB + 10, (await f.Store.HeadAsync("bucket", "k")).Size);
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Abort_removes_the_staging_and_later_parts_fail(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var upload = await f.Store.CreateMultipartUploadAsync("bucket", "k");
        await UploadPartAsync(f.Store, "k", upload.UploadId, 1, StoreFixture.Pattern(1000, 1));
        var pending = await f.Store.BeginUploadPartAsync("bucket", "k", upload.UploadId, 2);
        await pending.WriteAsync(new byte[10]);
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () => await f.Store.AbortMultipartUploadAsync("bucket", "wrong", upload.UploadId));
        await f.Store.AbortMultipartUploadAsync("bucket", "k", upload.UploadId);
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () => await pending.CommitAsync());
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchUpload, async () => await f.Store.AbortMultipartUploadAsync("bucket", "k", upload.UploadId));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.HeadAsync("bucket", "k"));
        Assert.Empty(await f.Store.ListMultipartUploadsAsync("bucket"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".multipart", "bucket")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Uploads_are_listed_by_key_and_survive_a_restart(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var b = await f.Store.CreateMultipartUploadAsync("bucket", "b", new ObjectAttributes { StorageClass = "STANDARD_IA" });
        var a1 = await f.Store.CreateMultipartUploadAsync("bucket", "a");
        var a2 = await f.Store.CreateMultipartUploadAsync("bucket", "a", checksumAlgorithm: ChecksumAlgorithm.Sha256);
        await f.ReopenAsync();
        var list = await f.Store.ListMultipartUploadsAsync("bucket");
        Assert.Equal(["a", "a", "b"], list.Select(u => u.Key));
        Assert.Equal(new[] { a1.UploadId, a2.UploadId }.Order(), list.Take(2).Select(u => u.UploadId).Order());
        Assert.Equal("STANDARD_IA", list[2].Attributes.StorageClass);
        Assert.Equal(ChecksumAlgorithm.Sha256, list.Single(u => u.UploadId == a2.UploadId).ChecksumAlgorithm);
        Assert.Equal(b.Initiated, list[2].Initiated);
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.ListMultipartUploadsAsync("nobucket"));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Checksums_are_verified_per_part_and_combined_for_the_object(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        byte[] p1 = StoreFixture.Pattern(FiveMiB, 11), p2 = StoreFixture.Pattern(777, 12);

        // SHA-256: composite, SHA-256 over the parts' binary SHA-256s, then "-N" (S3 "Checking object integrity").
        var sha = await f.Store.CreateMultipartUploadAsync("bucket", "sha", checksumAlgorithm: ChecksumAlgorithm.Sha256);
        string s1 = Convert.ToBase64String(SHA256.HashData(p1)), s2 = Convert.ToBase64String(SHA256.HashData(p2));
        await StorageAssert.FailsWith(S3ErrorCode.BadDigest, async () => await UploadPartAsync(f.Store, "sha", sha.UploadId, 1, p1, s2));
        var e1 = await UploadPartAsync(f.Store, "sha", sha.UploadId, 1, p1, s1);
        var e2 = await UploadPartAsync(f.Store, "sha", sha.UploadId, 2, p2);
        Assert.Equal(s1, e1.Checksum);
        Assert.Equal(s2, e2.Checksum);
        await StorageAssert.FailsWith(S3ErrorCode.InvalidPart, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "sha", sha.UploadId, [new(1, e1.ETag, s2), new(2, e2.ETag)]));
        var done = await f.Store.CompleteMultipartUploadAsync("bucket", "sha", sha.UploadId, [new(1, e1.ETag, s1), new(2, e2.ETag, s2)]);
        string composite = Convert.ToBase64String(SHA256.HashData([.. SHA256.HashData(p1), .. SHA256.HashData(p2)])) + "-2";
        Assert.Equal(composite, done.Checksum);
        Assert.Equal("COMPOSITE", done.ChecksumType);
        Assert.Equal(composite, (await f.Store.HeadAsync("bucket", "sha")).Checksum);

        // CRC64NVME: full-object checksum, equal to the CRC of the whole body.
        var crc = await f.Store.CreateMultipartUploadAsync("bucket", "crc", checksumAlgorithm: ChecksumAlgorithm.Crc64Nvme);
        var c1 = await UploadPartAsync(f.Store, "crc", crc.UploadId, 1, p1);
        var c2 = await UploadPartAsync(f.Store, "crc", crc.UploadId, 2, p2);
        var whole = await f.Store.CompleteMultipartUploadAsync("bucket", "crc", crc.UploadId, [new(1, c1.ETag), new(2, c2.ETag)]);
        var expected = new byte[8];
        S3Checksum.HashData(ChecksumAlgorithm.Crc64Nvme, [.. p1, .. p2], expected);
        Assert.Equal(Convert.ToBase64String(expected), whole.Checksum);
        Assert.Equal("FULL_OBJECT", whole.ChecksumType);
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Complete_honours_create_only_and_keeps_the_upload_on_failure(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await f.Store.PutAsync("bucket", "k", "existing"u8.ToArray());
        var upload = await f.Store.CreateMultipartUploadAsync("bucket", "k");
        var part = await UploadPartAsync(f.Store, "k", upload.UploadId, 1, StoreFixture.Pattern(10, 1));
        await StorageAssert.FailsWith(S3ErrorCode.PreconditionFailed, async () =>
            await f.Store.CompleteMultipartUploadAsync("bucket", "k", upload.UploadId, [new(1, part.ETag)], WriteCondition.CreateOnly));
        Assert.Equal("existing"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        Assert.Single(await f.Store.ListPartsAsync("bucket", "k", upload.UploadId));
        await f.Store.CompleteMultipartUploadAsync("bucket", "k", upload.UploadId, [new(1, part.ETag)]);
        Assert.Equal(StoreFixture.Pattern(10, 1), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    private static async Task<(byte[] Whole, ObjectMetadata Done, string UploadId)> CompleteTwoPartsAsync(StoreFixture f, string key,
        Action<string>? beforeComplete = null)
    {
        var upload = await f.Store.CreateMultipartUploadAsync("bucket", key);
        byte[] p1 = StoreFixture.Pattern(FiveMiB, 11), p2 = StoreFixture.Pattern(3333, 12);
        var i1 = await UploadPartAsync(f.Store, key, upload.UploadId, 1, p1);
        var i2 = await UploadPartAsync(f.Store, key, upload.UploadId, 2, p2);
        beforeComplete?.Invoke(upload.UploadId);
        var done = await f.Store.CompleteMultipartUploadAsync("bucket", key, upload.UploadId, [new(1, i1.ETag), new(2, i2.ETag)]);
        return ([.. p1, .. p2], done, upload.UploadId);
    }

    private static string PartsRoot(StoreFixture f) => Path.Combine(f.Directory, "bucket", ".parts");

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Complete_moves_the_parts_without_copying_and_a_reader_keeps_its_version(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var (whole, done, _) = await CompleteTwoPartsAsync(f, "k");
        // The object's file is a small manifest; its parts are the very files that were uploaded (one more link each).
        var partsDirectory = Assert.Single(Directory.EnumerateDirectories(PartsRoot(f)));
        Assert.Equal(2, Directory.EnumerateFiles(partsDirectory).Count());
        string objectFile = f.AllFiles().Single(p => Path.GetFileName(p).Length == 64);
        Assert.True(new FileInfo(objectFile).Length < 8192);

        await using (var reader = await f.Store.OpenReadAsync("bucket", "k"))
        {
            Assert.Equal(2, reader.SegmentCount);
            await f.Store.PutAsync("bucket", "k", "new"u8.ToArray());
            Assert.Empty(Directory.EnumerateDirectories(PartsRoot(f))); // the replaced manifest's parts are gone ...
            Assert.Equal(whole, await StoreFixture.ReadRangeAsync(reader, 0, whole.Length)); // ... but still read here
            Assert.Equal(done.ETag, reader.Metadata.ETag);
        }
        Assert.Equal("new"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        Assert.True(await f.Store.DeleteAsync("bucket", "k"));
        // Nothing of the object is left: no object file, no part file, no temp file.
        Assert.DoesNotContain(f.AllFiles(), p => Path.GetFileName(p).Length == 64 || Path.GetFileName(p).StartsWith("part-", StringComparison.Ordinal)
            || p.Contains(Path.DirectorySeparatorChar + ".tmp" + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Copy_of_a_manifest_links_the_parts_and_outlives_its_source(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var (whole, done, _) = await CompleteTwoPartsAsync(f, "src");
        var copy = await f.Store.CopyAsync("bucket", "src", "bucket", "dst");
        Assert.Equal(done.ETag, copy.ETag);
        Assert.Equal(2, copy.PartCount);
        Assert.Equal(2, Directory.EnumerateDirectories(PartsRoot(f)).Count());
        // The index rebuild sees each manifest once, and nothing of the parts directories.
        var enumerated = new List<(string, string)>();
        await foreach (var o in f.Store.EnumerateObjectsAsync()) enumerated.Add((o.Key, o.Metadata.ETag));
        Assert.Equal([("dst", done.ETag), ("src", done.ETag)], enumerated.Order());
        Assert.True(await f.Store.DeleteAsync("bucket", "src"));
        await f.ReopenAsync();
        Assert.Equal(whole, await StoreFixture.ReadAllAsync(f.Store, "bucket", "dst"));
        await using var reader = await f.Store.OpenReadAsync("bucket", "dst");
        Assert.Equal(whole.AsSpan(FiveMiB - 7, 14).ToArray(), await StoreFixture.ReadRangeAsync(reader, FiveMiB - 7, 14));
        Assert.Single(Directory.EnumerateDirectories(PartsRoot(f)));
        // A bucket whose only remaining object is deleted can be deleted (the emptied .parts does not count).
        Assert.True(await f.Store.DeleteAsync("bucket", "dst"));
        await f.Store.DeleteBucketAsync("bucket");
        Assert.False(Directory.Exists(Path.Combine(f.Directory, "bucket")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task A_crash_around_Complete_leaves_no_partial_object_and_no_leaked_parts(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        string? savedUpload = null;
        var (whole, done, uploadId) = await CompleteTwoPartsAsync(f, "k", id =>
        {
            // Keep a copy of the staging directory, to put back as if the crash came before its removal.
            savedUpload = Path.Combine(f.Directory, "saved-upload");
            CopyTree(Path.Combine(f.Directory, ".multipart", "bucket", id), savedUpload);
        });
        string published = Assert.Single(Directory.EnumerateDirectories(PartsRoot(f)));
        // Crash 1: parts moved for another Complete (or copy) of "k" whose manifest never got renamed into place.
        CopyTree(published, published[..^22] + "AAAAAAAAAAAAAAAAAAAAAA");
        // Crash 2: a parts directory whose object does not exist at all.
        CopyTree(published, Path.Combine(PartsRoot(f), new string('0', 64) + ".BBBBBBBBBBBBBBBBBBBBBB"));
        // Crash 3: the manifest was published but the upload's staging directory was not removed yet.
        Directory.Move(savedUpload!, Path.Combine(f.Directory, ".multipart", "bucket", uploadId));
        Assert.Single(await f.Store.ListMultipartUploadsAsync("bucket"));

        await f.ReopenAsync();
        Assert.Equal(published, Assert.Single(Directory.EnumerateDirectories(PartsRoot(f))));
        Assert.Empty(await f.Store.ListMultipartUploadsAsync("bucket"));
        Assert.Equal(whole, await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        Assert.Equal(done.ETag, (await f.Store.HeadAsync("bucket", "k")).ETag);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
        // A retried Complete of the finished upload answers the same object.
        var retried = await f.Store.CompleteMultipartUploadAsync("bucket", "k", uploadId, [new(1, "x"), new(2, "y")]);
        Assert.Equal(done.ETag, retried.ETag);
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task A_damaged_manifest_is_an_io_error_not_wrong_bytes(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await CompleteTwoPartsAsync(f, "k");
        string objectFile = f.AllFiles().Single(p => Path.GetFileName(p).Length == 64);
        await using (var stream = new FileStream(objectFile, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 4096 + 8 + 10; // inside the first entry's offset: the list's CRC no longer matches
            stream.WriteByte(0x7F);
        }
        var e = await Assert.ThrowsAsync<Sluice.IO.IoException>(async () => await f.Store.OpenReadAsync("bucket", "k"));
        Assert.Contains("manifest checksum mismatch", e.Message, StringComparison.Ordinal);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
