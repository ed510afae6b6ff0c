using Sluice.IO.Files;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Server.Storage;

/// <summary>
/// A PutObject in progress (from <see cref="ObjectStore.BeginPutAsync"/>): write the body in chunks, then
/// <see cref="CommitAsync"/> publishes it atomically and durably, or <see cref="BodyWriter.AbortAsync"/> drops it.
/// </summary>
public sealed class ObjectWriter : BodyWriter, IObjectWriter
{
    private readonly ObjectLocation _location;

    internal ObjectWriter(ObjectStore store, string bucket, string key, ObjectLocation location, string tempPath,
        IoFile file, ChecksumAlgorithm checksumAlgorithm)
        : base(store, tempPath, file, checksumAlgorithm)
    {
        Bucket = bucket;
        Key = key;
        _location = location;
    }

    public string Bucket { get; }
    public string Key { get; }

    /// <summary>
    /// Verifies the digests (BadDigest), writes the header, fsyncs the file, renames it over the key's file (subject to
    /// <see cref="ObjectCommitOptions.Condition"/>) and fsyncs the directory. When this returns the object survives a
    /// crash; if it throws, nothing visible changed.
    /// </summary>
    public async ValueTask<ObjectMetadata> CommitAsync(ObjectAttributes? attributes = null, ObjectCommitOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var (md5, checksum) = await FinishBodyAsync(options?.ExpectedContentMd5, options?.ExpectedChecksum).ConfigureAwait(false);
        Span<byte> etag = stackalloc byte[ETag.SinglePartLength];
        ETag.FormatSinglePart(md5, etag);
        var metadata = new ObjectMetadata
        {
            Key = Key,
            Size = Length,
            ETag = System.Text.Encoding.ASCII.GetString(etag),
            LastModified = ObjectStore.Now(),
            Attributes = attributes ?? ObjectAttributes.Empty,
            ChecksumAlgorithm = ChecksumAlgorithm,
            Checksum = checksum,
            ChecksumType = checksum == null ? null : ObjectStore.FullObject,
        };
        metadata = ObjectEncryption.Seal(metadata);
        metadata = ObjectStore.Stamp(metadata, Journal); // the version id goes into the header
        await SealAsync(ObjectHeader.EncodeMetadata(metadata), cancellationToken).ConfigureAwait(false);
        await Store.PublishAsync(TempPath, Bucket, Key, _location, metadata, options?.Condition, Journal, cancellationToken)
            .ConfigureAwait(false);
        return metadata;
    }

    /// <summary>Where the commit records the new version before publishing it (the key index of <see cref="DiskStorage"/>).</summary>
    internal IPublishJournal? Journal { get; set; }

    ValueTask<ObjectMetadata> IObjectWriter.CommitAsync(ObjectAttributes attributes, string? expectedContentMd5,
        string? expectedChecksum, WriteCondition? condition, CancellationToken cancellationToken) =>
        CommitAsync(attributes, new ObjectCommitOptions
        {
            ExpectedContentMd5 = expectedContentMd5,
            ExpectedChecksum = expectedChecksum,
            Condition = condition,
        }, cancellationToken);
}
