using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.Server.Index;

/// <summary>
/// One object as the key index knows it: the key (UTF-8 bytes) and what a listing shows, plus an opaque locator
/// the object store uses to find the bytes. Immutable, so readers can hold it without locks.
/// </summary>
public sealed class IndexEntry
{
    /// <summary>S3's key limit in UTF-8 bytes; the journal stores key lengths in 16 bits.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>
    /// The longest key an entry holds: a version index's keys are an object key (NUL and 0x01 bytes escaped to two
    /// bytes), a 0x00 separator and a version id (<see cref="VersionKeys"/>); S3's own limit is checked before that.
    /// </summary>
    internal const int MaxStoredKeyLength = (2 * MaxKeyLength) + 64;

    /// <summary>The longest ETag or storage class the journal stores (one length byte).</summary>
    public const int MaxTextLength = 255;

    private readonly byte[] _key;

    /// <summary>Creates an entry; the key bytes are copied.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/>, or a
    /// text field is longer than <see cref="MaxTextLength"/> bytes or not ASCII.</exception>
    public IndexEntry(
        ReadOnlySpan<byte> key,
        long size,
        string eTag,
        DateTimeOffset lastModified,
        string storageClass = "STANDARD",
        ChecksumAlgorithm checksumAlgorithm = ChecksumAlgorithm.None,
        ObjectChecksumType checksumType = ObjectChecksumType.None,
        ulong locator = 0)
        : this(CheckedKey(key.ToArray()), size, eTag, lastModified.UtcTicks, storageClass, checksumAlgorithm, checksumType, locator)
    {
    }

    /// <summary>Creates an entry for a key given as text (encoded to UTF-8).</summary>
    public IndexEntry(
        string key,
        long size,
        string eTag,
        DateTimeOffset lastModified,
        string storageClass = "STANDARD",
        ChecksumAlgorithm checksumAlgorithm = ChecksumAlgorithm.None,
        ObjectChecksumType checksumType = ObjectChecksumType.None,
        ulong locator = 0)
        : this(CheckedKey(Encoding.UTF8.GetBytes(key ?? throw new ArgumentNullException(nameof(key)))), size, eTag, lastModified.UtcTicks, storageClass, checksumAlgorithm, checksumType, locator)
    {
    }

    // Takes ownership of key: the codec and the public constructors both hand over a fresh array.
    internal IndexEntry(
        byte[] key,
        long size,
        string eTag,
        long lastModifiedUtcTicks,
        string storageClass,
        ChecksumAlgorithm checksumAlgorithm,
        ObjectChecksumType checksumType,
        ulong locator)
    {
        ArgumentNullException.ThrowIfNull(eTag);
        ArgumentNullException.ThrowIfNull(storageClass);
        if (key.Length is 0 or > MaxStoredKeyLength)
        {
            throw new ArgumentException($"A key is 1 to {MaxKeyLength} UTF-8 bytes.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(lastModifiedUtcTicks);
        if (eTag.Length > MaxTextLength || !Ascii.IsValid(eTag))
        {
            throw new ArgumentException($"An ETag is at most {MaxTextLength} ASCII characters.", nameof(eTag));
        }

        if (storageClass.Length > MaxTextLength || !Ascii.IsValid(storageClass))
        {
            throw new ArgumentException($"A storage class is at most {MaxTextLength} ASCII characters.", nameof(storageClass));
        }

        _key = key;
        Size = size;
        ETag = eTag;
        LastModifiedUtcTicks = lastModifiedUtcTicks;
        StorageClass = storageClass;
        ChecksumAlgorithm = checksumAlgorithm;
        ChecksumType = checksumType;
        Locator = locator;
    }

    /// <summary>
    /// The version's id (<see cref="Storage.VersionIds"/>), or null for a version written before its bucket was ever
    /// versioned (S3's null version; so are versions with <see cref="IsNullVersion"/>).
    /// </summary>
    public string? VersionId { get; init; }

    /// <summary>A null version written while the bucket's versioning was suspended (it has an id for ordering only).</summary>
    public bool IsNullVersion { get; init; }

    /// <summary>A delete marker (version index only): no bytes, and a key whose newest version it is reads as absent.</summary>
    public bool IsDeleteMarker { get; init; }

    /// <summary>The id S3 reports: <c>null</c> for a null version.</summary>
    public string ReportedVersionId => VersionId == null || IsNullVersion ? Storage.VersionIds.Null : VersionId;

    private static byte[] CheckedKey(byte[] key) => key.Length is 0 or > MaxKeyLength
        ? throw new ArgumentException($"A key is 1 to {MaxKeyLength} UTF-8 bytes.", nameof(key))
        : key;

    /// <summary>The key's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The key's UTF-8 bytes as memory (for common prefixes sliced from it without copying).</summary>
    public ReadOnlyMemory<byte> KeyMemory => _key;

    /// <summary>Object size in bytes.</summary>
    public long Size { get; }

    /// <summary>The ETag as the server sends it (the index does not interpret it).</summary>
    public string ETag { get; }

    /// <summary>Last-Modified, UTC.</summary>
    public DateTimeOffset LastModified => new(LastModifiedUtcTicks, TimeSpan.Zero);

    /// <summary>Last-Modified as UTC ticks (what the journal stores).</summary>
    public long LastModifiedUtcTicks { get; }

    /// <summary>The storage class the object was written with, e.g. <c>STANDARD</c>.</summary>
    public string StorageClass { get; }

    /// <summary>The object's additional checksum algorithm, if any.</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; }

    /// <summary>Whether that checksum is composite or full-object.</summary>
    public ObjectChecksumType ChecksumType { get; }

    /// <summary>Opaque to the index: the object store's handle on the stored bytes (a file id or generation).</summary>
    public ulong Locator { get; }

    /// <summary>The key decoded to text (allocates).</summary>
    public string GetKeyString() => Encoding.UTF8.GetString(_key);

    internal byte[] KeyArray => _key;

    /// <summary>Field-by-field equality, for tests and reload checks.</summary>
    public bool ContentEquals(IndexEntry? other) =>
        other is not null
        && _key.AsSpan().SequenceEqual(other._key)
        && Size == other.Size
        && ETag == other.ETag
        && LastModifiedUtcTicks == other.LastModifiedUtcTicks
        && StorageClass == other.StorageClass
        && ChecksumAlgorithm == other.ChecksumAlgorithm
        && ChecksumType == other.ChecksumType
        && Locator == other.Locator
        && VersionId == other.VersionId
        && IsNullVersion == other.IsNullVersion
        && IsDeleteMarker == other.IsDeleteMarker;

    /// <inheritdoc/>
    public override string ToString() => GetKeyString();
}
