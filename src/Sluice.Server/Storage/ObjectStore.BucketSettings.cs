using Sluice.IO;
using Sluice.IO.Files;

namespace Sluice.Server.Storage;

// Bucket settings: small documents in the bucket's .config directory, each replaced by one rename.
public sealed partial class ObjectStore
{
    /// <summary>Settings are small XML documents; anything larger than this on disk is damage.</summary>
    private const int MaxSettingBytes = 1 << 20;

    /// <summary>The stored document, or null when the bucket has none (NoSuchBucket when the bucket is absent).</summary>
    public async ValueTask<byte[]?> GetBucketSettingAsync(string bucket, BucketSetting setting,
        CancellationToken cancellationToken = default)
    {
        var file = await TryOpenAsync(Layout.BucketSetting(bucket, setting), cancellationToken).ConfigureAwait(false);
        if (file == null)
        {
            await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            return null;
        }
        await using (file.ConfigureAwait(false))
        {
            long length = await file.GetLengthAsync(cancellationToken).ConfigureAwait(false);
            if (length > MaxSettingBytes) throw new IoException("read", 5, $"bucket setting {file.Path} is {length} bytes");
            var document = new byte[length];
            int have = 0;
            while (have < document.Length)
            {
                int n = await file.ReadAsync(document.AsMemory(have), have, cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new IoException("read", 5, $"bucket setting {file.Path} ended early");
                have += n;
            }
            return document;
        }
    }

    /// <summary>
    /// Replaces the document (null removes it). Written to a temporary file, fdatasynced, renamed over the old one and
    /// the directory fsynced before this returns: after a crash the old document or the new one is there, whole.
    /// </summary>
    public async ValueTask SetBucketSettingAsync(string bucket, BucketSetting setting, byte[]? document,
        CancellationToken cancellationToken = default)
    {
        await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        string directory = Layout.BucketSettings(bucket);
        string target = Layout.BucketSetting(bucket, setting);
        if (document == null)
        {
            try
            {
                await Engine.DeleteAsync(target, cancellationToken).ConfigureAwait(false);
            }
            catch (IoException e) when (e.Errno == StorageNative.ENOENT)
            {
                return;
            }
            await FsyncDirectoryAsync(directory, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        string temp = Layout.NewTemp();
        bool renamed = false;
        try
        {
            await using (var file = await Engine.OpenFileAsync(temp, CreateNew, cancellationToken).ConfigureAwait(false))
            {
                await file.WriteAsync(document, 0, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(dataOnly: true, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await EnsureDirectoryAsync(directory, Layout.Bucket(bucket)).ConfigureAwait(false);
                await Engine.RenameAsync(temp, target, cancellationToken).ConfigureAwait(false);
            }
            catch (IoException e) when (e.Errno == StorageNative.ENOENT)
            {
                _directories.TryRemove(directory, out _);
                await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
                throw;
            }
            renamed = true;
            await FsyncDirectoryAsync(directory, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!renamed) await TryDeleteFileAsync(temp).ConfigureAwait(false);
        }
    }
}
