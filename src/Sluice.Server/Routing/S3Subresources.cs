namespace Sluice.Server.Routing;

/// <summary>
/// The query keys that select an operation other than the plain bucket or object one (botocore's S3 service model,
/// 2006-03-01: e.g. <c>GetBucketVersioning: GET /{Bucket}?versioning</c>). S3 dispatches on these names
/// case-sensitively, ignores their values and ignores every other unknown key (measured against AWS by
/// github.com/brekkylab/backlot, backlot/routers/s3.py). Sorted ordinally, so a bit mask lists them in the order S3's
/// "Conflicting query string parameters" message does.
/// </summary>
internal static class S3Subresources
{
    /// <summary>Applies to a bucket (path without key).</summary>
    public const byte Bucket = 1;

    /// <summary>Applies to an object.</summary>
    public const byte Object = 2;

    public static readonly (byte[] Name, byte Scope)[] Table =
    [
        ("abac"u8.ToArray(), Bucket),
        ("accelerate"u8.ToArray(), Bucket),
        ("acl"u8.ToArray(), Bucket | Object),
        ("analytics"u8.ToArray(), Bucket),
        ("attributes"u8.ToArray(), Object),
        ("cors"u8.ToArray(), Bucket),
        ("delete"u8.ToArray(), Bucket),
        ("encryption"u8.ToArray(), Bucket),
        ("intelligent-tiering"u8.ToArray(), Bucket),
        ("inventory"u8.ToArray(), Bucket),
        ("legal-hold"u8.ToArray(), Object),
        ("lifecycle"u8.ToArray(), Bucket),
        ("location"u8.ToArray(), Bucket),
        ("logging"u8.ToArray(), Bucket),
        ("metadataConfiguration"u8.ToArray(), Bucket),
        ("metadataTable"u8.ToArray(), Bucket),
        ("metrics"u8.ToArray(), Bucket),
        ("notification"u8.ToArray(), Bucket),
        ("object-lock"u8.ToArray(), Bucket),
        ("ownershipControls"u8.ToArray(), Bucket),
        ("policy"u8.ToArray(), Bucket),
        ("policyStatus"u8.ToArray(), Bucket),
        ("publicAccessBlock"u8.ToArray(), Bucket),
        ("renameObject"u8.ToArray(), Object),
        ("replication"u8.ToArray(), Bucket),
        ("requestPayment"u8.ToArray(), Bucket),
        ("restore"u8.ToArray(), Object),
        ("retention"u8.ToArray(), Object),
        ("select"u8.ToArray(), Object),
        ("sluice-partitions"u8.ToArray(), Bucket), // Sluice's own: the key index's partition map (administrator only)
        ("tagging"u8.ToArray(), Bucket | Object),
        ("torrent"u8.ToArray(), Object),
        ("uploadId"u8.ToArray(), Object),
        ("uploads"u8.ToArray(), Bucket | Object),
        ("versioning"u8.ToArray(), Bucket),
        ("versions"u8.ToArray(), Bucket),
        ("website"u8.ToArray(), Bucket),
    ];

    /// <summary>Index in <see cref="Table"/>, or -1.</summary>
    public static int IndexOf(ReadOnlySpan<byte> name)
    {
        (byte[] Name, byte Scope)[] table = Table;
        for (int i = 0; i < table.Length; i++)
        {
            if (name.SequenceEqual(table[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The mask bit of entry <paramref name="index"/>.</summary>
    public static ulong Bit(int index) => 1UL << index;
}
