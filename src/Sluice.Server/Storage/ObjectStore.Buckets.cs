using System.Globalization;
using System.Text;
using Sluice.IO;
using Sluice.IO.Files;
using Sluice.S3.Errors;

namespace Sluice.Server.Storage;

// Buckets: directories published by one rename, with their creation date inside.
public sealed partial class ObjectStore
{
    /// <summary>A bucket record (date and owner id) is far smaller; a file this long is damage.</summary>
    private const int MaxBucketRecordBytes = 4096;

    /// <summary>
    /// CreateBucket: the directory and its record (creation date, then the owner's canonical id on a second line) — and
    /// the ACL setting, when one is given — are prepared under DIR/.tmp, fsynced, then renamed into place with
    /// RENAME_NOREPLACE (BucketAlreadyOwnedByYou when it exists), then DIR is fsynced: the bucket appears with its owner
    /// and ACL or not at all.
    /// </summary>
    public async ValueTask<BucketInfo> CreateBucketAsync(string bucket, string? ownerId = null, byte[]? acl = null,
        CancellationToken cancellationToken = default)
    {
        string path = Layout.Bucket(bucket);
        if (await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
            throw AlreadyOwned(bucket);
        var created = Now();
        string temp = Layout.NewTemp();
        StorageNative.MakeDirectory(temp);
        try
        {
            await using (var file = await Engine.OpenFileAsync(Path.Join(temp, ".bucket"), CreateNew, cancellationToken)
                .ConfigureAwait(false))
            {
                string record = created.ToString("O", CultureInfo.InvariantCulture) + (ownerId != null ? "\n" + ownerId : "");
                await file.WriteAsync(Encoding.UTF8.GetBytes(record), 0, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
            }
            if (acl != null)
            {
                string config = Path.Join(temp, ".config");
                StorageNative.MakeDirectory(config);
                await using (var file = await Engine.OpenFileAsync(Path.Join(config, BucketSetting.Acl.ToString().ToLowerInvariant()),
                    CreateNew, cancellationToken).ConfigureAwait(false))
                {
                    await file.WriteAsync(acl, 0, cancellationToken).ConfigureAwait(false);
                    await file.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
                }
                await FsyncDirectoryAsync(config, cancellationToken).ConfigureAwait(false);
            }
            await FsyncDirectoryAsync(temp, cancellationToken).ConfigureAwait(false);
            if (!StorageNative.RenameNoReplace(temp, path)) throw AlreadyOwned(bucket);
        }
        catch
        {
            DeleteTree(temp);
            throw;
        }
        await FsyncDirectoryAsync(Layout.Root, CancellationToken.None).ConfigureAwait(false);
        return new BucketInfo(bucket, created) { OwnerId = ownerId };
    }

    /// <summary>HeadBucket: the bucket's creation date, or NoSuchBucket.</summary>
    public async ValueTask<BucketInfo> GetBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        await TryGetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) ?? throw S3StorageException.NoSuchBucket(bucket);

    /// <summary>ListBuckets, in name order.</summary>
    public async ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        var buckets = new List<BucketInfo>();
        foreach (string directory in System.IO.Directory.EnumerateDirectories(Layout.Root))
        {
            string name = Path.GetFileName(directory);
            if (name.StartsWith('.')) continue;
            var info = await TryGetBucketAsync(name, cancellationToken).ConfigureAwait(false);
            if (info != null) buckets.Add(info);
        }
        buckets.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return buckets;
    }

    /// <summary>
    /// DeleteBucket: BucketNotEmpty while it holds an object or an in-progress multipart upload. Holds every commit
    /// stripe, so no write can land in the bucket between the emptiness check and the rename that removes it.
    /// </summary>
    public async ValueTask DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        string path = Layout.Bucket(bucket);
        int held = 0;
        try
        {
            for (; held < _stripes.Length; held++) await _stripes[held].WaitAsync(cancellationToken).ConfigureAwait(false);
            await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            if (HoldsObjects(path) || HoldsVersions(Path.Join(path, ".versions")) || HoldsEntries(Layout.MultipartBucket(bucket)))
                throw S3StorageException.Of(S3ErrorCode.BucketNotEmpty, null, "/" + bucket);
            ForgetDirectories(path);
            await DisposeAllAsync(_openObjects.Clear()).ConfigureAwait(false); // none can be of this bucket; cheap to be sure
            await RemoveDirectoryDurablyAsync(path, Layout.Root, cancellationToken).ConfigureAwait(false);
            StorageNative.RemoveDirectory(Layout.MultipartBucket(bucket)); // empty, checked above
        }
        finally
        {
            for (int i = 0; i < held; i++) _stripes[i].Release();
        }
    }

    private async ValueTask<BucketInfo?> TryGetBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        var file = await TryOpenAsync(Layout.BucketMarker(bucket), cancellationToken).ConfigureAwait(false);
        if (file == null) return null;
        await using (file.ConfigureAwait(false))
        {
            byte[] buffer = new byte[MaxBucketRecordBytes];
            int n = 0, read;
            while (n < buffer.Length && (read = await file.ReadAsync(buffer.AsMemory(n), n, cancellationToken).ConfigureAwait(false)) > 0) n += read;
            // Line 1: the creation date; line 2 (absent in records written before owners existed): the owner's id.
            string record = Encoding.UTF8.GetString(buffer, 0, n);
            int newline = record.IndexOf('\n', StringComparison.Ordinal);
            string date = newline < 0 ? record : record[..newline];
            string? owner = newline < 0 ? null : record[(newline + 1)..];
            if (n == buffer.Length || owner is { Length: 0 } || !DateTimeOffset.TryParseExact(date, "O", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var created))
                throw new IoException("read", 5, $"corrupt bucket record {file.Path}");
            return new BucketInfo(bucket, created) { OwnerId = owner };
        }
    }

    internal async ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await Engine.StatAsync(Layout.BucketMarker(bucket), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IoException e) when (e.Errno == StorageNative.ENOENT)
        {
            return false;
        }
    }

    internal async ValueTask ThrowIfNoBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
            throw S3StorageException.NoSuchBucket(bucket);
    }

    /// <summary>Whether any object file exists in the bucket's fan-out directories.</summary>
    private static bool HoldsObjects(string bucketPath)
    {
        foreach (string outer in System.IO.Directory.EnumerateDirectories(bucketPath))
        {
            // .parts holds only manifests' part files: with no object left, whatever remains there is garbage.
            if (Path.GetFileName(outer.AsSpan()).StartsWith('.')) continue;
            foreach (string inner in System.IO.Directory.EnumerateDirectories(outer))
                if (HoldsEntries(inner)) return true;
        }
        return false;
    }

    /// <summary>Whether a noncurrent version or delete marker is left (a bucket holding only those is not empty).</summary>
    private static bool HoldsVersions(string root) =>
        System.IO.Directory.Exists(root) && System.IO.Directory.EnumerateDirectories(root).Any(HoldsEntries);

    private static bool HoldsEntries(string directory) =>
        System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any();

    private static S3StorageException AlreadyOwned(string bucket) =>
        new(new S3Error(S3ErrorCode.BucketAlreadyOwnedByYou) { Resource = "/" + bucket }.WithDetail("BucketName", bucket));
}
