using Sluice.Client.Transfer;
using Sluice.S3.Checksums;

namespace Sluice.Client.Tests.Transfer;

public class TransferEngineTests(TransferServerFixture fx) : IClassFixture<TransferServerFixture>
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task Multipart_upload_and_download_of_64MiB_with_8MiB_parts_are_byte_exact()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(64 * MiB, 1);
        string source = fx.WriteFile(data);
        using var engine = fx.Engine(new TransferOptions { PartSize = 8 * MiB, ProgressInterval = TimeSpan.Zero });
        var reports = new List<TransferProgress>();
        var progress = new SyncProgress<TransferProgress>(reports);

        var up = await engine.UploadFileAsync(source, bucket, "big.bin", progress: progress);
        Assert.Equal(8, up.PartCount);
        Assert.True(up.ChecksumVerified);
        Assert.Equal(ChecksumAlgorithm.Crc64Nvme, up.ChecksumAlgorithm);
        Assert.Equal(PartChecksums.ToBase64(ChecksumAlgorithm.Crc64Nvme, PartChecksums.Compute(ChecksumAlgorithm.Crc64Nvme, data)), up.Checksum);
        Assert.EndsWith("-8\"", up.ETag);
        var last = reports[^1];
        Assert.True(last.IsComplete);
        Assert.Equal(data.Length, last.BytesDone);
        Assert.Equal(8, last.PartsDone);

        string target = Path.Combine(fx.NewDirectory(), "big.out");
        reports.Clear();
        var down = await engine.DownloadFileAsync(bucket, "big.bin", target, progress);
        Assert.Equal(data.Length, down.Size);
        Assert.Equal(8, down.PartCount);
        Assert.True(down.ChecksumVerified);
        Assert.Equal(up.ETag, down.ETag);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(DownloadState.PartialPath(target)));
        Assert.False(File.Exists(DownloadState.SidecarPath(target)));
        Assert.Equal(data.Length, reports[^1].BytesDone);
        Assert.Equal(0, engine.Memory.Reserved);
        Assert.True(engine.Memory.PeakReserved <= engine.Memory.Capacity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4097)]
    [InlineData(5 * MiB)]
    [InlineData(5 * MiB + 1)]
    [InlineData(11 * MiB + 7)]
    public async Task Sizes_around_part_boundaries_round_trip_through_file_memory_and_stream(int size)
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(size, size);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { });
        var up = await engine.UploadFileAsync(fx.WriteFile(data), bucket, "k");
        Assert.Equal(size, up.Size);

        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "k"));
        using var ms = new MemoryStream();
        var viaStream = await engine.DownloadToStreamAsync(bucket, "k", ms);
        Assert.Equal(data, ms.ToArray());
        Assert.True(viaStream.ChecksumVerified);
        string target = Path.Combine(fx.NewDirectory(), "out");
        await engine.DownloadFileAsync(bucket, "k", target);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Stream_upload_of_unknown_length_goes_multipart_and_crc32c_is_carried()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(17 * MiB + 3, 7);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { ChecksumAlgorithm = ChecksumAlgorithm.Crc32C });
        var up = await engine.UploadStreamAsync(new NonSeekableStream(data), bucket, "s");
        Assert.Equal(4, up.PartCount);
        Assert.Equal(ChecksumAlgorithm.Crc32C, up.ChecksumAlgorithm);
        Assert.True(up.ChecksumVerified); // the server's composite CRC32C equals ours
        Assert.EndsWith("-4", up.Checksum);
        var down = await engine.DownloadToStreamAsync(bucket, "s", new MemoryStream());
        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "s"));
        Assert.True(down.ChecksumVerified); // same part layout: the composite is comparable

        var small = await engine.UploadStreamAsync(new NonSeekableStream(data.AsSpan(0, 1000).ToArray()), bucket, "small");
        Assert.Equal(1, small.PartCount);
        Assert.Equal(data.AsSpan(0, 1000).ToArray(), await engine.DownloadBytesAsync(bucket, "small"));
    }

    [Fact]
    public async Task Corrupted_stored_bytes_are_detected_and_no_file_claims_to_be_complete()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(12 * MiB, 3);
        using var engine = fx.Engine();
        await engine.UploadFileAsync(fx.WriteFile(data), bucket, "multi");
        await engine.UploadFileAsync(fx.WriteFile(data.AsSpan(0, 3000).ToArray()), bucket, "single");
        fx.CorruptStoredObject(bucket, "multi", 100);
        fx.CorruptStoredObject(bucket, "single", 1);

        string dir = fx.NewDirectory();
        string target = Path.Combine(dir, "multi");
        var e = await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadFileAsync(bucket, "multi", target));
        Assert.Contains("CRC64NVME", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir)); // no file, no partial, no sidecar
        await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadBytesAsync(bucket, "multi"));
        await Assert.ThrowsAsync<ChecksumMismatchException>(() => engine.DownloadFileAsync(bucket, "single", Path.Combine(dir, "single")));

        // A whole-object GET (size known from a listing) is checked by the client against the response's checksum.
        string down = fx.NewDirectory();
        var ex = await Assert.ThrowsAsync<TransferException>(() => engine.DownloadDirectoryAsync(bucket, "", down));
        Assert.Contains("2 of 2", ex.Message);
        Assert.Empty(Directory.GetFiles(down, "*", SearchOption.AllDirectories));
        Assert.Equal(0, engine.Memory.Reserved);
    }

    [Fact]
    public async Task Interrupted_download_resumes_from_the_sidecar_and_rechecks_the_partial_file()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(40 * MiB, 4);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { Concurrency = 2 });
        await engine.UploadFileAsync(fx.WriteFile(data), bucket, "r");
        string target = Path.Combine(fx.NewDirectory(), "r.out");

        using var cts = new CancellationTokenSource();
        var stopHalfway = new SyncProgress<TransferProgress>(p => { if (p.PartsDone >= 4) cts.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.DownloadFileAsync(bucket, "r", target, stopHalfway, cts.Token));
        Assert.False(File.Exists(target));
        Assert.True(File.Exists(DownloadState.PartialPath(target)));
        var state = DownloadState.Load(DownloadState.SidecarPath(target))!;
        Assert.InRange(state.Parts.Count, 4, 7);

        // Damage one recorded part in the partial file: the resume must fetch it again, not trust the sidecar.
        int damaged = state.Parts.Keys.Max();
        using (var f = new FileStream(DownloadState.PartialPath(target), FileMode.Open, FileAccess.Write))
        {
            f.Position = damaged * (5L * MiB) + 10;
            f.WriteByte((byte)(data[damaged * 5 * MiB + 10] ^ 1));
        }
        var resumed = await engine.DownloadFileAsync(bucket, "r", target);
        Assert.Equal(state.Parts.Count - 1, resumed.ResumedParts);
        Assert.True(resumed.ChecksumVerified);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(DownloadState.SidecarPath(target)));
    }

    [Fact]
    public async Task Resume_of_a_download_whose_object_changed_starts_over_with_the_new_bytes()
    {
        string bucket = await fx.NewBucketAsync();
        var v1 = TransferServerFixture.RandomBytes(30 * MiB, 5);
        var v2 = TransferServerFixture.RandomBytes(30 * MiB, 6);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { Concurrency = 1 });
        await engine.UploadFileAsync(fx.WriteFile(v1), bucket, "c");
        string target = Path.Combine(fx.NewDirectory(), "c.out");
        using var cts = new CancellationTokenSource();
        var stop = new SyncProgress<TransferProgress>(p => { if (p.PartsDone >= 2) cts.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.DownloadFileAsync(bucket, "c", target, stop, cts.Token));
        Assert.NotNull(DownloadState.Load(DownloadState.SidecarPath(target)));

        await engine.UploadFileAsync(fx.WriteFile(v2), bucket, "c");
        var result = await engine.DownloadFileAsync(bucket, "c", target);
        Assert.Equal(0, result.ResumedParts);
        Assert.Equal(v2, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Interrupted_upload_resumes_from_its_upload_id_and_listed_parts()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(33 * MiB, 8);
        string source = fx.WriteFile(data);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { Concurrency = 2 });
        using var cts = new CancellationTokenSource();
        var stop = new SyncProgress<TransferProgress>(p => { if (p.PartsDone >= 3) cts.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.UploadFileAsync(source, bucket, "u", progress: stop, cancellationToken: cts.Token));

        string? uploadId = null;
        await foreach (var u in fx.Client.ListMultipartUploadsAsync(bucket))
            if (u.Key == "u") uploadId = u.UploadId;
        Assert.NotNull(uploadId);
        // A part whose body was all sent when the client cancelled is still committed by the server a moment later:
        // list until the count holds still, so the resume below sees the same parts.
        int listed = await CountPartsAsync(bucket, "u", uploadId), previous = -1;
        for (int i = 0; i < 50 && listed != previous; i++)
        {
            await Task.Delay(100);
            previous = listed;
            listed = await CountPartsAsync(bucket, "u", uploadId);
        }
        Assert.InRange(listed, 3, 6);

        var result = await engine.UploadFileAsync(source, bucket, "u", new UploadOptions { ResumeUploadId = uploadId });
        Assert.Equal(listed, result.ResumedParts);
        Assert.Equal(7, result.PartCount);
        Assert.True(result.ChecksumVerified);
        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "u"));

        var bad = await Assert.ThrowsAsync<TransferException>(() =>
            engine.UploadFileAsync(source, bucket, "u", new UploadOptions { ResumeUploadId = "no-such-upload" }));
        Assert.Contains("cannot resume", bad.Message);
    }

    private async Task<int> CountPartsAsync(string bucket, string key, string uploadId)
    {
        int n = 0;
        await foreach (var _ in fx.Client.ListPartsAsync(bucket, key, uploadId)) n++;
        return n;
    }

    [Fact]
    public async Task Resumed_upload_re_sends_parts_whose_bytes_changed()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(15 * MiB, 9);
        string source = fx.WriteFile(data);
        string uploadId = await fx.Client.CreateMultipartUploadAsync(new Model.PutObjectRequest(bucket, "x") { ChecksumAlgorithm = ChecksumAlgorithm.Crc64Nvme });
        // Part 1 uploaded from other bytes: a resume must notice (checksum differs) and replace it.
        var wrong = TransferServerFixture.RandomBytes(5 * MiB, 10);
        await fx.Client.UploadPartAsync(new Model.UploadPartRequest(bucket, "x", uploadId, 1) { ChecksumAlgorithm = ChecksumAlgorithm.Crc64Nvme }, wrong);
        await fx.Client.UploadPartAsync(new Model.UploadPartRequest(bucket, "x", uploadId, 2) { ChecksumAlgorithm = ChecksumAlgorithm.Crc64Nvme },
            data.AsMemory(5 * MiB, 5 * MiB));
        using var engine = fx.Engine();
        var result = await engine.UploadFileAsync(source, bucket, "x", new UploadOptions { ResumeUploadId = uploadId });
        Assert.Equal(1, result.ResumedParts);
        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "x"));
    }

    [Fact]
    public async Task Peak_reserved_memory_never_exceeds_the_budget_with_many_concurrent_transfers()
    {
        string bucket = await fx.NewBucketAsync();
        const long Budget = 16L << 20; // three 5 MiB parts at most
        using var engine = fx.Engine(TransferServerFixture.SmallParts(Budget) with { Concurrency = 8 });
        var objects = Enumerable.Range(0, 6).Select(i => TransferServerFixture.RandomBytes(12 * MiB + i * 4099, 100 + i)).ToArray();
        var sources = objects.Select(o => fx.WriteFile(o)).ToArray();

        await Task.WhenAll(sources.Select((s, i) => engine.UploadFileAsync(s, bucket, $"m/{i}")));
        Assert.InRange(engine.Memory.PeakReserved, 10L << 20, Budget);
        engine.Memory.ResetPeak();

        string dir = fx.NewDirectory();
        var downloads = Enumerable.Range(0, 6).Select(i => engine.DownloadFileAsync(bucket, $"m/{i}", Path.Combine(dir, $"{i}")));
        var memory = Enumerable.Range(0, 6).Select(i => engine.DownloadToStreamAsync(bucket, $"m/{i}", new MemoryStream()));
        await Task.WhenAll(downloads.Concat(memory));
        Assert.InRange(engine.Memory.PeakReserved, 10L << 20, Budget);
        Assert.True(engine.Memory.Allocated <= Budget);
        for (int i = 0; i < objects.Length; i++) Assert.Equal(objects[i], await File.ReadAllBytesAsync(Path.Combine(dir, $"{i}")));
        Assert.Equal(0, engine.Memory.Reserved);

        // Many small objects: each holds a buffer of its own size, not a part.
        engine.Memory.ResetPeak();
        for (int i = 0; i < 40; i++) await fx.Client.PutObjectAsync(new Model.PutObjectRequest(bucket, $"small/{i}"), TransferServerFixture.RandomBytes(3000, i));
        await engine.DownloadDirectoryAsync(bucket, "small/", fx.NewDirectory());
        Assert.True(engine.Memory.PeakReserved <= 16 * 4096, $"peak {engine.Memory.PeakReserved}");
    }

    [Fact]
    public async Task Directory_upload_and_download_apply_include_and_exclude_globs()
    {
        string bucket = await fx.NewBucketAsync();
        string root = fx.NewDirectory();
        var files = new Dictionary<string, byte[]>
        {
            ["a.txt"] = TransferServerFixture.RandomBytes(100, 1),
            ["data/b.bin"] = TransferServerFixture.RandomBytes(6 * MiB, 2),
            ["data/deep/c.txt"] = TransferServerFixture.RandomBytes(0, 3),
            ["tmp/d.txt"] = TransferServerFixture.RandomBytes(10, 4),
            ["e.log"] = TransferServerFixture.RandomBytes(10, 5),
            ["sp ace/ü.txt"] = TransferServerFixture.RandomBytes(77, 6),
        };
        foreach (var (rel, bytes) in files)
        {
            string path = Path.Combine(root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { FileConcurrency = 4 });
        var up = await engine.UploadDirectoryAsync(root, bucket, "pre/", new GlobFilter(["**/*.txt", "**/*.bin"], ["tmp/**"]));
        Assert.Equal(4, up.Files.Count);
        Assert.Equal(2, up.Skipped);
        var keys = new List<string>();
        await foreach (var o in fx.Client.ListObjectsV2Async(new Model.ListObjectsRequest(bucket))) keys.Add(o.Key);
        Assert.Equal(["pre/a.txt", "pre/data/b.bin", "pre/data/deep/c.txt", "pre/sp ace/ü.txt"], keys);

        string down = fx.NewDirectory();
        var result = await engine.DownloadDirectoryAsync(bucket, "pre/", down, new GlobFilter(exclude: ["data/*.bin"]));
        Assert.Equal(3, result.Files.Count);
        Assert.Equal(1, result.Skipped);
        Assert.Equal(files["a.txt"], File.ReadAllBytes(Path.Combine(down, "a.txt")));
        Assert.Equal(files["data/deep/c.txt"], File.ReadAllBytes(Path.Combine(down, "data/deep/c.txt")));
        Assert.Equal(files["sp ace/ü.txt"], File.ReadAllBytes(Path.Combine(down, "sp ace/ü.txt")));
        Assert.False(File.Exists(Path.Combine(down, "data/b.bin")));
        Assert.True(result.Files.All(f => f.ChecksumVerified));

        // A key that would climb out of the target directory is refused before anything is written.
        await fx.Client.PutObjectAsync(new Model.PutObjectRequest(bucket, "evil/../../escape.txt"), new byte[] { 1 });
        string evil = fx.NewDirectory();
        var e = await Assert.ThrowsAsync<TransferException>(() => engine.DownloadDirectoryAsync(bucket, "evil/", evil));
        Assert.Contains("outside", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(evil));
    }

    [Fact]
    public async Task Copy_uses_CopyObject_when_small_and_parallel_UploadPartCopy_when_large()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(16 * MiB + 5, 11);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { MultipartCopyThreshold = 6 * MiB });
        await engine.UploadFileAsync(fx.WriteFile(data), bucket, "src");
        await fx.Client.PutObjectAsync(new Model.PutObjectRequest(bucket, "small") { ContentType = "text/plain" }, data.AsMemory(0, 1000));

        var big = await engine.CopyAsync(bucket, "src", bucket, "dst");
        Assert.Equal(4, big.PartCount);
        Assert.NotNull(big.UploadId);
        Assert.Equal(data, await engine.DownloadBytesAsync(bucket, "dst"));

        var small = await engine.CopyAsync(bucket, "small", bucket, "small-copy");
        Assert.Equal(1, small.PartCount);
        Assert.Equal(data.AsSpan(0, 1000).ToArray(), await engine.DownloadBytesAsync(bucket, "small-copy"));
        Assert.Equal("text/plain", (await fx.Client.HeadObjectAsync(bucket, "small-copy")).ContentType);

        await Assert.ThrowsAsync<S3Exception>(() => engine.CopyAsync(bucket, "missing", bucket, "x"));
    }

    [Fact]
    public async Task Tags_asked_land_on_single_and_multipart_uploads_and_copies()
    {
        string bucket = await fx.NewBucketAsync();
        var data = TransferServerFixture.RandomBytes(16 * MiB + 5, 12);
        using var engine = fx.Engine(TransferServerFixture.SmallParts() with { MultipartCopyThreshold = 6 * MiB });
        var tags = new Dictionary<string, string> { ["team"] = "data", ["note"] = "a b+c=d" };
        KeyValuePair<string, string>[] expected = [new("note", "a b+c=d"), new("team", "data")];
        async Task<KeyValuePair<string, string>[]> TagsOf(string key) =>
            [.. (await fx.Client.GetObjectTaggingAsync(bucket, key)).OrderBy(t => t.Key, StringComparer.Ordinal)];

        var big = await engine.UploadFileAsync(fx.WriteFile(data), bucket, "big", new UploadOptions { Tags = tags });
        Assert.True(big.PartCount > 1);
        Assert.Equal(expected, await TagsOf("big"));
        Assert.Equal(2, (await fx.Client.HeadObjectAsync(bucket, "big")).TagCount);
        await engine.UploadFileAsync(fx.WriteFile(data.AsSpan(0, 1000).ToArray()), bucket, "small", new UploadOptions { Tags = tags });
        Assert.Equal(expected, await TagsOf("small"));

        // A copy given tags replaces the source's, single CopyObject or multipart; a single copy without keeps them.
        var copied = await engine.CopyAsync(bucket, "big", bucket, "big-copy", new CopyOptions { Tags = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.True(copied.PartCount > 1);
        Assert.Equal([new("k", "v")], await TagsOf("big-copy"));
        await engine.CopyAsync(bucket, "small", bucket, "small-copy", new CopyOptions { Tags = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal([new("k", "v")], await TagsOf("small-copy"));
        await engine.CopyAsync(bucket, "small", bucket, "small-kept");
        Assert.Equal(expected, await TagsOf("small-kept"));
    }

    [Fact]
    public async Task Missing_objects_and_buckets_fail_with_a_clear_error_and_leave_nothing()
    {
        string bucket = await fx.NewBucketAsync();
        using var engine = fx.Engine();
        string dir = fx.NewDirectory();
        var e = await Assert.ThrowsAsync<TransferException>(() => engine.DownloadFileAsync(bucket, "nope", Path.Combine(dir, "x")));
        Assert.Equal("NoSuchKey", Assert.IsType<S3Exception>(e.InnerException).Code);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        await Assert.ThrowsAnyAsync<Exception>(() => engine.UploadFileAsync(Path.Combine(dir, "absent"), bucket, "k"));
        var up = await Assert.ThrowsAsync<S3Exception>(() => engine.UploadFileAsync(fx.WriteFile(new byte[10]), "no-such-bucket", "k"));
        Assert.Equal("NoSuchBucket", up.Code);
    }

    [Fact]
    public async Task Part_buffers_come_from_the_engines_registered_pool_when_it_has_a_part_class()
    {
        string bucket = await fx.NewBucketAsync();
        var options = new TransferOptions { PartSize = 8 * MiB, MemoryBudget = 32 * MiB, ProgressInterval = TimeSpan.Zero };
        await using var io = TransferEngine.CreateIoEngine(options, reactors: 1);
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = fx.Server.Endpoint,
            AccessKeyId = Sluice.Server.SluiceServerOptions.DevAccessKey,
            SecretAccessKey = Sluice.Server.SluiceServerOptions.DevSecretKey,
        }, io);
        using var engine = new TransferEngine(client, options);
        var data = TransferServerFixture.RandomBytes(20 * MiB + 123, 12);
        await engine.UploadFileAsync(fx.WriteFile(data), bucket, "fixed");
        string target = Path.Combine(fx.NewDirectory(), "fixed");
        var result = await engine.DownloadFileAsync(bucket, "fixed", target);
        Assert.True(result.ChecksumVerified);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.True(engine.Memory.RegisteredRents >= 4, $"registered rents {engine.Memory.RegisteredRents}");
        Assert.True(engine.Memory.PeakReserved <= 32 * MiB);
        Assert.Equal(0, io.Buffers.Outstanding);
        Assert.Throws<ArgumentException>(() => TransferEngine.CreateBufferPool(new TransferOptions { PartSize = 5 * MiB }));
    }

    /// <summary>IProgress that reports synchronously on the reporting thread (Progress&lt;T&gt; posts to the pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public SyncProgress(List<T> sink) : this(v => { lock (sink) sink.Add(v); }) { }
        public void Report(T value) => report(value);
    }

    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 70_000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
