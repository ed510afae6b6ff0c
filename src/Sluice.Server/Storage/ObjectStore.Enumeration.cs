using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Sluice.IO;

namespace Sluice.Server.Storage;

// Walking everything stored, for rebuilding the key index.
public sealed partial class ObjectStore
{
    /// <summary>
    /// Every stored object (of <paramref name="bucket"/>, or of all buckets), read from the headers, in no particular
    /// order. Files whose name is not the hash of the key inside them are skipped (they cannot be reached by key).
    /// Objects written or deleted during the walk may or may not appear.
    /// </summary>
    public async IAsyncEnumerable<StoredObject> EnumerateObjectsAsync(string? bucket = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IEnumerable<string> buckets = bucket != null
            ? [StorageLayout.CheckBucket(bucket)]
            : (await ListBucketsAsync(cancellationToken).ConfigureAwait(false)).Select(b => b.Name);
        if (bucket != null) await ThrowIfNoBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        foreach (string name in buckets)
        {
            string root = Layout.Bucket(name);
            if (!System.IO.Directory.Exists(root)) continue;
            foreach (string outer in System.IO.Directory.EnumerateDirectories(root))
            {
                if (Path.GetFileName(outer.AsSpan()).StartsWith('.')) continue; // .parts: manifests' part files
                foreach (string inner in System.IO.Directory.EnumerateDirectories(outer))
                {
                    foreach (string path in System.IO.Directory.EnumerateFiles(inner))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (!StorageLayout.IsObjectFileName(Path.GetFileName(path))) continue;
                        StoredHeader? header;
                        try
                        {
                            header = await TryReadHeaderAsync(path, cancellationToken).ConfigureAwait(false);
                        }
                        catch (IoException e) when (e.Errno == StorageNative.ENOENT)
                        {
                            continue;
                        }
                        if (header is not { } h || !NameMatches(path, h.Metadata.Key)) continue;
                        yield return new StoredObject(name, h.Metadata.Key, h.Metadata);
                    }
                }
            }
        }
    }

    private static bool NameMatches(string path, string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(StorageLayout.KeyBytes(key), hash);
        return Path.GetFileName(path.AsSpan()).Equals(Convert.ToHexStringLower(hash), StringComparison.Ordinal);
    }
}
