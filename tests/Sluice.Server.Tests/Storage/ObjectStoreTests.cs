using System.Text;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

public class ObjectStoreTests
{
    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Put_then_get_is_byte_exact_for_empty_small_and_multi_MiB_bodies(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        foreach (int size in new[] { 0, 1, 4095, 4096, 4097, (3 << 20) + 123 })
        {
            byte[] body = StoreFixture.Pattern(size, size);
            string key = "obj-" + size;
            await using (var writer = await f.Store.BeginPutAsync("bucket", key))
            {
                // Uneven chunks, half through a pooled native buffer (WRITE_FIXED on io_uring).
                int at = 0, chunk = 0;
                while (at < size)
                {
                    int n = Math.Min(size - at, 70_000 + chunk * 13);
                    if (chunk++ % 2 == 0)
                    {
                        await writer.WriteAsync(body.AsMemory(at, n));
                    }
                    else
                    {
                        using var buffer = await f.Engine.Buffers.RentAsync(n);
                        body.AsSpan(at, n).CopyTo(buffer.GetSpan());
                        await writer.WriteAsync(buffer, n);
                    }
                    at += n;
                }
                var committed = await writer.CommitAsync();
                Assert.Equal(size, committed.Size);
                Assert.Equal(StorageAssert.Md5ETag(body), committed.ETag);
            }
            Assert.Equal(body, await StoreFixture.ReadAllAsync(f.Store, "bucket", key));
            var head = await f.Store.HeadAsync("bucket", key);
            Assert.Equal(size, head.Size);
            Assert.Equal(StorageAssert.Md5ETag(body), head.ETag);
        }
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task A_body_past_the_dirty_limit_is_written_back_early_and_reads_back_exact(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        // Long enough that writeback is started several times and the writer waits for ranges far behind.
        int size = (int)(BodyWriter.DirtyLimitBytes + 3 * BodyWriter.WritebackChunkBytes + 12_345);
        byte[] body = StoreFixture.Pattern(size, 7);
        await using (var writer = await f.Store.BeginPutAsync("bucket", "big"))
        {
            using var buffer = await f.Engine.Buffers.RentAsync(1 << 20);
            for (int at = 0; at < size; at += buffer.Length)
            {
                int n = Math.Min(buffer.Length, size - at);
                body.AsSpan(at, n).CopyTo(buffer.GetSpan());
                await writer.WriteAsync(buffer, n);
            }
            Assert.Equal(StorageAssert.Md5ETag(body), (await writer.CommitAsync()).ETag);
        }
        await f.ReopenAsync();
        Assert.Equal(body, await StoreFixture.ReadAllAsync(f.Store, "bucket", "big"));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Awkward_keys_stay_inside_the_directory_and_never_collide(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        string[] keys =
        [
            "..", "../../etc/passwd", "a//b", "a/b", "a/./b", "./", ".", "/", "//", "/leading", "trailing/",
            "with space", " ", "ünïcødé/日本語/🙂", "back\\slash", "..\\..\\x", "%2e%2e%2f", "\t\r\n",
            new string('a', 1024), new string('/', 1024), string.Concat(Enumerable.Repeat("../", 341)) + "x",
            new string('é', 512), // 1024 bytes of two-byte UTF-8
        ];
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.True(Encoding.UTF8.GetByteCount(keys[i]) <= 1024);
            await f.Store.PutAsync("bucket", keys[i], Encoding.UTF8.GetBytes("value " + i));
        }
        string root = Path.GetFullPath(f.Directory) + Path.DirectorySeparatorChar;
        Assert.All(f.AllFiles(), file => Assert.StartsWith(root, file, StringComparison.Ordinal));
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal("value " + i, Encoding.UTF8.GetString(await StoreFixture.ReadAllAsync(f.Store, "bucket", keys[i])));
            Assert.Equal(keys[i], (await f.Store.HeadAsync("bucket", keys[i])).Key);
        }
        // One object file per key: distinct keys got distinct files.
        int objectFiles = f.AllFiles().Count(p => StorageLayoutNames.IsObjectFile(p));
        Assert.Equal(keys.Length, objectFiles);
        var enumerated = new HashSet<string>();
        await foreach (var stored in f.Store.EnumerateObjectsAsync()) enumerated.Add(stored.Key);
        Assert.Equal(keys.ToHashSet(), enumerated);
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Keys_past_1024_bytes_and_empty_keys_are_refused(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await StorageAssert.FailsWith(S3ErrorCode.KeyTooLongError, async () => await f.Store.BeginPutAsync("bucket", new string('a', 1025)));
        await StorageAssert.FailsWith(S3ErrorCode.KeyTooLongError, async () => await f.Store.HeadAsync("bucket", new string('é', 513)));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidArgument, async () => await f.Store.BeginPutAsync("bucket", ""));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidArgument, async () => await f.Store.BeginPutAsync("bucket", "\ud800"));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidBucketName, async () => await f.Store.BeginPutAsync("../x", "k"));
        await StorageAssert.FailsWith(S3ErrorCode.InvalidBucketName, async () => await f.Store.CreateBucketAsync(".tmp"));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Overwrite_replaces_and_delete_removes_durably(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await f.Store.PutAsync("bucket", "k", "first"u8.ToArray());
        await f.Store.PutAsync("bucket", "k", "second, longer"u8.ToArray());
        Assert.Equal("second, longer"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        Assert.True(await f.Store.DeleteAsync("bucket", "k"));
        Assert.False(await f.Store.DeleteAsync("bucket", "k"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.HeadAsync("bucket", "k"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.OpenReadAsync("bucket", "k"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.HeadAsync("nobucket", "k"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.DeleteAsync("nobucket", "k"));
        await f.ReopenAsync();
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.HeadAsync("bucket", "k"));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task A_reader_keeps_its_version_across_overwrite_and_delete(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        byte[] old = StoreFixture.Pattern(100_000, 1);
        await f.Store.PutAsync("bucket", "k", old);
        await using var reader = await f.Store.OpenReadAsync("bucket", "k");
        await f.Store.PutAsync("bucket", "k", StoreFixture.Pattern(5, 2));
        Assert.Equal(old, await StoreFixture.ReadRangeAsync(reader, 0, reader.Length));
        await f.Store.DeleteAsync("bucket", "k");
        Assert.Equal(old.AsSpan(99_000).ToArray(), await StoreFixture.ReadRangeAsync(reader, 99_000, 1000));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Metadata_round_trips_through_head_and_a_restart(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var attributes = new ObjectAttributes
        {
            ContentType = "text/plain; charset=utf-8",
            ContentEncoding = "gzip",
            ContentDisposition = "attachment; filename=\"ünï.txt\"",
            ContentLanguage = "de-CH",
            CacheControl = "max-age=60",
            Expires = "Wed, 21 Oct 2015 07:28:00 GMT",
            StorageClass = "REDUCED_REDUNDANCY",
            UserMetadata = [StorageAssert.Pair("color", "blue"), StorageAssert.Pair("json", "{\"a\":[1,\"\\u0000\"]}"), StorageAssert.Pair("empty", "")],
        };
        byte[] body = "hello"u8.ToArray();
        // CRC-32C of "hello" is 0x9a71bb4c, from a bitwise CRC-32C (reflected polynomial 0x82F63B78, RFC 3720 B.4) that
        // gives the catalogued check value 0xE3069283 for "123456789".
        var put = await f.Store.PutAsync("bucket", "dir/k", body, attributes,
            new ObjectCommitOptions { ExpectedChecksum = Convert.ToBase64String([0x9a, 0x71, 0xbb, 0x4c]) },
            ChecksumAlgorithm.Crc32C);
        await f.ReopenAsync();
        var head = await f.Store.HeadAsync("bucket", "dir/k");
        Assert.Equal(put, head with { Attributes = put.Attributes });
        Assert.Equal(attributes with { UserMetadata = put.Attributes.UserMetadata }, head.Attributes with { UserMetadata = put.Attributes.UserMetadata });
        Assert.Equal(StorageAssert.Meta(attributes.UserMetadata), StorageAssert.Meta(head.Attributes.UserMetadata));
        Assert.Equal(ChecksumAlgorithm.Crc32C, head.ChecksumAlgorithm);
        Assert.Equal("mnG7TA==", head.Checksum);
        Assert.Equal("FULL_OBJECT", head.ChecksumType);
        Assert.Equal(0, head.PartCount);
        Assert.True((DateTimeOffset.UtcNow - head.LastModified).Duration() < TimeSpan.FromMinutes(1));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Metadata_bytes_that_are_not_utf8_round_trip_exactly_through_a_restart(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        // Latin-1 é as one byte (what boto3 sends), a byte that is never UTF-8, an empty value, an RFC 2047 word.
        KeyValuePair<string, byte[]>[] meta =
        [
            new("latin1", [0x63, 0x61, 0x66, 0xE9]), new("ff", [0xFF, 0x20, 0xC3]), new("empty", []),
            StorageAssert.Pair("encoded", "=?UTF-8?B?w6k=?="), StorageAssert.Pair("utf8", "caf\u00e9"),
        ];
        await f.Store.PutAsync("bucket", "k", "x"u8.ToArray(), new ObjectAttributes { UserMetadata = meta });
        await f.ReopenAsync();
        var head = await f.Store.HeadAsync("bucket", "k");
        Assert.Equal(StorageAssert.Meta(meta), StorageAssert.Meta(head.Attributes.UserMetadata));
        var copy = await f.Store.CopyAsync("bucket", "k", "bucket", "copy");
        Assert.Equal(StorageAssert.Meta(meta), StorageAssert.Meta(copy.Attributes.UserMetadata));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Metadata_larger_than_the_reserved_page_moves_the_body_and_still_round_trips(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var meta = Enumerable.Range(0, 40).Select(i => StorageAssert.Pair("m" + i, new string('x', 200))).ToList();
        byte[] body = StoreFixture.Pattern(50_000, 9);
        await f.Store.PutAsync("bucket", "big-meta", body, new ObjectAttributes { UserMetadata = meta });
        await using var reader = await f.Store.OpenReadAsync("bucket", "big-meta");
        Assert.True(reader.FirstSegmentOffset > 4096);
        Assert.Equal(0, reader.FirstSegmentOffset % 4096);
        Assert.Equal(StorageAssert.Meta(meta), StorageAssert.Meta(reader.Metadata.Attributes.UserMetadata));
        Assert.Equal(body, await StoreFixture.ReadRangeAsync(reader, 0, reader.Length));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task BadDigest_leaves_the_old_object_and_no_temp_file(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await f.Store.PutAsync("bucket", "k", "old"u8.ToArray());
        await StorageAssert.FailsWith(S3ErrorCode.BadDigest, async () =>
            await f.Store.PutAsync("bucket", "k", "new"u8.ToArray(),
                options: new ObjectCommitOptions { ExpectedContentMd5 = Convert.ToBase64String(new byte[16]) }));
        await StorageAssert.FailsWith(S3ErrorCode.BadDigest, async () =>
            await f.Store.PutAsync("bucket", "k", "new"u8.ToArray(),
                options: new ObjectCommitOptions { ExpectedChecksum = "AAAAAA==" }, checksumAlgorithm: ChecksumAlgorithm.Crc32));
        Assert.Equal("old"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
        // The right Content-MD5 commits.
        byte[] md5 = Convert.FromHexString(StorageAssert.Md5ETag("new"u8).Trim('"'));
        await f.Store.PutAsync("bucket", "k", "new"u8.ToArray(),
            options: new ObjectCommitOptions { ExpectedContentMd5 = Convert.ToBase64String(md5) });
        Assert.Equal("new"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task An_abandoned_writer_leaves_the_old_object_and_its_temp_file_is_cleaned_at_restart(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await f.Store.PutAsync("bucket", "k", "old"u8.ToArray());
        var writer = await f.Store.BeginPutAsync("bucket", "k");
        await writer.WriteAsync(StoreFixture.Pattern(200_000, 3));
        // "Crash": the writer is never committed, aborted or disposed; the store goes away.
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
        await f.ReopenAsync();
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
        Assert.Equal("old"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        GC.KeepAlive(writer);
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Abort_discards_the_body(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var writer = await f.Store.BeginPutAsync("bucket", "k");
        await writer.WriteAsync("partial"u8.ToArray());
        await writer.AbortAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await writer.WriteAsync("x"u8.ToArray()));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.HeadAsync("bucket", "k"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Create_only_races_have_exactly_one_winner(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        for (int round = 0; round < 10; round++)
        {
            string key = "race-" + round;
            var writers = new ObjectWriter[4];
            for (int i = 0; i < writers.Length; i++)
            {
                writers[i] = await f.Store.BeginPutAsync("bucket", key);
                await writers[i].WriteAsync(Encoding.ASCII.GetBytes("writer " + i));
            }
            var commits = writers.Select(w => Task.Run(async () =>
            {
                try
                {
                    await w.CommitAsync(options: new ObjectCommitOptions { Condition = WriteCondition.CreateOnly });
                    return (string?)null;
                }
                catch (S3StorageException e) { return e.Code; }
            })).ToArray();
            string?[] outcomes = await Task.WhenAll(commits);
            Assert.Single(outcomes, o => o == null);
            Assert.Equal(writers.Length - 1, outcomes.Count(o => o == S3ErrorCode.PreconditionFailed));
            int winner = Array.IndexOf(outcomes, null);
            Assert.Equal("writer " + winner, Encoding.ASCII.GetString(await StoreFixture.ReadAllAsync(f.Store, "bucket", key)));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task If_match_commits_only_over_the_named_version(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.PutAsync("bucket", "k", "a"u8.ToArray(),
            options: new ObjectCommitOptions { Condition = WriteCondition.Matching("\"00000000000000000000000000000000\"") }));
        var v1 = await f.Store.PutAsync("bucket", "k", "v1"u8.ToArray());
        await StorageAssert.FailsWith(S3ErrorCode.PreconditionFailed, async () => await f.Store.PutAsync("bucket", "k", "x"u8.ToArray(),
            options: new ObjectCommitOptions { Condition = WriteCondition.Matching("\"00000000000000000000000000000000\"") }));
        var v2 = await f.Store.PutAsync("bucket", "k", "v2"u8.ToArray(),
            options: new ObjectCommitOptions { Condition = WriteCondition.Matching(v1.ETag) });
        Assert.Equal("v2"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "bucket", "k"));
        // Two updates conditioned on the same version: only one lands.
        var a = f.Store.PutAsync("bucket", "k", "a"u8.ToArray(), options: new ObjectCommitOptions { Condition = WriteCondition.Matching(v2.ETag) }).AsTask();
        var b = f.Store.PutAsync("bucket", "k", "b"u8.ToArray(), options: new ObjectCommitOptions { Condition = WriteCondition.Matching(v2.ETag) }).AsTask();
        var results = await Task.WhenAll(Wrap(a), Wrap(b));
        Assert.Single(results, r => r == null);
        Assert.Single(results, r => r == S3ErrorCode.PreconditionFailed);
        await StorageAssert.FailsWith(S3ErrorCode.PreconditionFailed, async () =>
            await f.Store.PutAsync("bucket", "k", "z"u8.ToArray(), options: new ObjectCommitOptions { Condition = WriteCondition.CreateOnly }));
        await StorageAssert.FailsWith(S3ErrorCode.PreconditionFailed, async () =>
            await f.Store.DeleteAsync("bucket", "k", WriteCondition.Matching(v1.ETag)));
        Assert.True(await f.Store.DeleteAsync("bucket", "k", WriteCondition.Matching("*")));

        static async Task<string?> Wrap(Task t)
        {
            try { await t; return null; }
            catch (S3StorageException e) { return e.Code; }
        }
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Copy_duplicates_bytes_and_keeps_or_replaces_attributes(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await f.Store.CreateBucketAsync("other");
        byte[] body = StoreFixture.Pattern((1 << 20) + 7, 5);
        var source = await f.Store.PutAsync("bucket", "src", body, new ObjectAttributes { ContentType = "a/b" });
        var kept = await f.Store.CopyAsync("bucket", "src", "other", "dst");
        Assert.Equal(source.ETag, kept.ETag);
        Assert.Equal("a/b", (await f.Store.HeadAsync("other", "dst")).Attributes.ContentType);
        Assert.Equal(body, await StoreFixture.ReadAllAsync(f.Store, "other", "dst"));
        var replaced = await f.Store.CopyAsync("bucket", "src", "bucket", "src", _ => new ObjectAttributes { ContentType = "c/d" });
        Assert.Equal("c/d", (await f.Store.HeadAsync("bucket", "src")).Attributes.ContentType);
        Assert.Equal(body, await StoreFixture.ReadAllAsync(f.Store, "bucket", "src"));
        Assert.Equal(source.ETag, replaced.ETag);
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchKey, async () => await f.Store.CopyAsync("bucket", "missing", "other", "x"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.CopyAsync("bucket", "src", "nobucket", "x"));
        await StorageAssert.FailsWith(S3ErrorCode.PreconditionFailed, async () =>
            await f.Store.CopyAsync("bucket", "src", "other", "dst", condition: WriteCondition.CreateOnly));
        await StorageAssert.FailsWith(S3ErrorCode.PreconditionFailed, async () =>
            await f.Store.CopyAsync("bucket", "src", "other", "dst2",
                _ => throw S3StorageException.Of(S3ErrorCode.PreconditionFailed)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(f.Directory, ".tmp")));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Buckets_are_created_listed_with_dates_and_deleted_only_when_empty(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode, bucket: null);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var b = await f.Store.CreateBucketAsync("beta");
        var a = await f.Store.CreateBucketAsync("alpha");
        await StorageAssert.FailsWith(S3ErrorCode.BucketAlreadyOwnedByYou, async () => await f.Store.CreateBucketAsync("alpha"));
        await f.ReopenAsync();
        var list = await f.Store.ListBucketsAsync();
        Assert.Equal(["alpha", "beta"], list.Select(x => x.Name));
        Assert.Equal(a.CreationDate, list[0].CreationDate);
        Assert.Equal(b.CreationDate, list[1].CreationDate);
        Assert.InRange(a.CreationDate, before, DateTimeOffset.UtcNow);
        await f.Store.PutAsync("alpha", "k", "x"u8.ToArray());
        await StorageAssert.FailsWith(S3ErrorCode.BucketNotEmpty, async () => await f.Store.DeleteBucketAsync("alpha"));
        await f.Store.DeleteAsync("alpha", "k");
        var upload = await f.Store.CreateMultipartUploadAsync("alpha", "mp");
        await StorageAssert.FailsWith(S3ErrorCode.BucketNotEmpty, async () => await f.Store.DeleteBucketAsync("alpha"));
        await f.Store.AbortMultipartUploadAsync("alpha", "mp", upload.UploadId);
        await f.Store.DeleteBucketAsync("alpha");
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.DeleteBucketAsync("alpha"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.GetBucketAsync("alpha"));
        await StorageAssert.FailsWith(S3ErrorCode.NoSuchBucket, async () => await f.Store.BeginPutAsync("alpha", "k"));
        Assert.Equal(["beta"], (await f.Store.ListBucketsAsync()).Select(x => x.Name));
        // Recreated under the same name, it is empty and writable (remembered directories were forgotten).
        await f.Store.CreateBucketAsync("alpha");
        await f.Store.PutAsync("alpha", "k", "again"u8.ToArray());
        Assert.Equal("again"u8.ToArray(), await StoreFixture.ReadAllAsync(f.Store, "alpha", "k"));
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task A_second_store_on_the_same_directory_is_refused(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        var e = await Assert.ThrowsAsync<Sluice.IO.IoException>(async () => await ObjectStore.OpenAsync(f.Engine, f.Directory));
        Assert.Equal("flock", e.Operation);
    }

    [Theory]
    [MemberData(nameof(StorageEngines.Both), MemberType = typeof(StorageEngines))]
    public async Task Enumeration_yields_every_object_with_its_metadata(string mode)
    {
        await using var f = await StoreFixture.CreateAsync(mode);
        await f.Store.CreateBucketAsync("second");
        var expected = new Dictionary<(string, string), string>();
        for (int i = 0; i < 50; i++)
        {
            string bucket = i % 2 == 0 ? "bucket" : "second";
            var m = await f.Store.PutAsync(bucket, "k/" + i, Encoding.ASCII.GetBytes("v" + i));
            expected[(bucket, "k/" + i)] = m.ETag;
        }
        var seen = new Dictionary<(string, string), string>();
        await foreach (var o in f.Store.EnumerateObjectsAsync()) seen.Add((o.Bucket, o.Key), o.Metadata.ETag);
        Assert.Equal(expected.OrderBy(x => x.Key), seen.OrderBy(x => x.Key));
        int inSecond = 0;
        await foreach (var o in f.Store.EnumerateObjectsAsync("second")) { Assert.Equal("second", o.Bucket); inSecond++; }
        Assert.Equal(25, inSecond);
    }
}

/// <summary>Recognizes object files by name (64 lowercase hex digits), independently of the store's code.</summary>
internal static class StorageLayoutNames
{
    public static bool IsObjectFile(string path)
    {
        string name = Path.GetFileName(path);
        return name.Length == 64 && name.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
    }
}
