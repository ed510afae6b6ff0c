using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Sluice.IO;
using Sluice.IO.Files;
using Sluice.S3.Checksums;

namespace Sluice.Server.Storage;

/// <summary>
/// The header block at the start of every stored file (objects, parts, upload records):
/// <code>
/// [0, 8)    magic "SLUICEOB"
/// [8, 12)   format version (u32 LE)
/// [12, 16)  metadata length n (u32 LE)
/// [16, 20)  CRC-32C of the metadata (u32 LE)
/// [20, 24)  reserved, 0
/// [24, 32)  body offset (u64 LE; a multiple of 4096)
/// [32, 40)  body length (u64 LE)
/// [40, 40+n) metadata, UTF-8 JSON
/// ... zeros (a hole) up to the body offset, then the body
/// </code>
/// Version 1 is a single-file object (or part, or upload record): the body is the object's bytes. Version 2 is a
/// multipart object's manifest: the "body" region holds the list of its part files (<see cref="ObjectManifest"/>),
/// which live in the bucket's parts directory named by the "partsDir" field; the body length is still the
/// object's size.
/// Header and body live in one file so one rename publishes both together (a sidecar would need two renames and
/// could pair new metadata with old bytes after a crash). HEAD reads one page; the page-aligned body keeps GET's
/// splice and copy_file_range on whole pages (and reflinks possible where the filesystem has them).
/// </summary>
internal static class ObjectHeader
{
    public const int FixedSize = 40;

    /// <summary>Body offsets are multiples of a page.</summary>
    public const int Alignment = 4096;

    /// <summary>
    /// The region a writer reserves before the body: one page holds the metadata S3 allows (key ≤ 1 KiB, user
    /// metadata ≤ 2 KiB) plus the standard headers; more moves the body once at commit (kernel copy).
    /// </summary>
    public const int DefaultBodyOffset = Alignment;

    /// <summary>Encoded metadata beyond this is MetadataTooLarge (far above what S3 accepts).</summary>
    public const int MaxMetadataBytes = 64 * 1024;

    /// <summary>A file whose body is the object's bytes.</summary>
    public const uint SingleFileVersion = 1;

    /// <summary>A multipart object's manifest: the body is the list of its part files.</summary>
    public const uint ManifestVersion = 2;

    private static ReadOnlySpan<byte> Magic => "SLUICEOB"u8;

    /// <summary>Where the body starts for a header of <paramref name="metadataLength"/> bytes.</summary>
    public static long BodyOffsetFor(int metadataLength) =>
        (FixedSize + (long)metadataLength + Alignment - 1) / Alignment * Alignment;

    /// <summary>The metadata as JSON.</summary>
    public static byte[] EncodeMetadata(ObjectMetadata m, int partNumber = 0, string? partsDirectory = null,
        string? uploadId = null)
    {
        var output = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("key"u8, m.Key);
            w.WriteNumber("size"u8, m.Size);
            w.WriteString("etag"u8, m.ETag);
            w.WriteNumber("modified"u8, m.LastModified.ToUnixTimeMilliseconds());
            if (partNumber > 0) w.WriteNumber("part"u8, partNumber);
            if (m.PartCount > 0) w.WriteNumber("parts"u8, m.PartCount);
            if (partsDirectory != null) w.WriteString("partsDir"u8, partsDirectory);
            if (uploadId != null) w.WriteString("upload"u8, uploadId);
            if (m.VersionId != null) w.WriteString("versionId"u8, m.VersionId);
            if (m.IsNullVersion) w.WriteBoolean("nullVersion"u8, true);
            if (m.IsDeleteMarker) w.WriteBoolean("deleteMarker"u8, true);
            if (m.ChecksumAlgorithm != ChecksumAlgorithm.None)
            {
                w.WriteString("checksumAlgorithm"u8, m.ChecksumAlgorithm.GetS3Name());
                if (m.Checksum != null) w.WriteString("checksum"u8, m.Checksum);
                if (m.ChecksumType != null) w.WriteString("checksumType"u8, m.ChecksumType);
            }
            var a = m.Attributes;
            WriteOptional(w, "contentType"u8, a.ContentType);
            WriteOptional(w, "contentEncoding"u8, a.ContentEncoding);
            WriteOptional(w, "contentDisposition"u8, a.ContentDisposition);
            WriteOptional(w, "contentLanguage"u8, a.ContentLanguage);
            WriteOptional(w, "cacheControl"u8, a.CacheControl);
            WriteOptional(w, "expires"u8, a.Expires);
            WriteOptional(w, "storageClass"u8, a.StorageClass);
            WriteUserMetadata(w, a.UserMetadata);
            if (a.Tags.Count > 0)
            {
                w.WriteStartArray("tags"u8);
                foreach (var (name, value) in a.Tags)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(name);
                    w.WriteStringValue(value);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            if (a.Encryption is { } e) WriteEncryption(w, e);
            WriteOptional(w, "lockMode"u8, a.LockMode);
            if (a.RetainUntil is { } until) w.WriteNumber("retainUntil"u8, until.ToUnixTimeMilliseconds());
            if (a.LegalHold || a.LegalHoldSet) w.WriteBoolean("legalHold"u8, a.LegalHold);
            if (a.Acl is { } acl) w.WriteString("acl"u8, acl.Serialize());
            w.WriteEndObject();
        }
        if (output.WrittenCount > MaxMetadataBytes)
            throw S3StorageException.Of(S3.Errors.S3ErrorCode.MetadataTooLarge);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// User metadata keeps its bytes exactly. Values that are all valid UTF-8 are written as JSON strings in "meta"
    /// (the format older versions wrote and read); if any value is
    /// not, the pairs go in "metaBase64" instead, values base64-encoded, so no byte is rewritten.
    /// </summary>
    private static void WriteUserMetadata(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<string, byte[]>> meta)
    {
        if (meta.Count == 0) return;
        bool text = true;
        foreach (var (_, value) in meta)
        {
            if (!Utf8.IsValid(value))
            {
                text = false;
                break;
            }
        }
        w.WriteStartArray(text ? "meta"u8 : "metaBase64"u8);
        foreach (var (name, value) in meta)
        {
            w.WriteStartArray();
            w.WriteStringValue(name);
            if (text) w.WriteStringValue(value.AsSpan()); // valid UTF-8: the same JSON a string would give
            else w.WriteBase64StringValue(value);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static Access.AccessControlList ParseAcl(string? stored, string path)
    {
        try
        {
            return Access.AccessControlList.Parse(stored ?? "");
        }
        catch (FormatException e)
        {
            throw Corrupt(path, "acl: " + e.Message);
        }
    }

    /// <summary>Encryption at rest: what finds the data key again (never a key itself) and the plaintext's size.</summary>
    private static void WriteEncryption(Utf8JsonWriter w, ObjectEncryption e)
    {
        w.WriteStartObject("sse"u8);
        w.WriteString("alg"u8, e.Algorithm);
        if (e.CustomerKey) w.WriteBoolean("customer"u8, true);
        WriteOptional(w, "keyMd5"u8, e.CustomerKeyMd5);
        WriteOptional(w, "verifier"u8, e.KeyVerifier);
        WriteOptional(w, "wrapped"u8, e.WrappedKey);
        WriteOptional(w, "kmsKey"u8, e.KmsKeyId);
        WriteOptional(w, "context"u8, e.KmsContext);
        if (e.BucketKeyEnabled) w.WriteBoolean("bucketKey"u8, true);
        w.WriteNumber("chunk"u8, e.ChunkSize);
        w.WriteNumber("plain"u8, e.PlainSize);
        w.WriteEndObject();
    }

    private static ObjectEncryption ReadEncryption(ref Utf8JsonReader r)
    {
        string algorithm = ObjectEncryption.Aes256;
        string? keyMd5 = null, verifier = null, wrapped = null, kmsKey = null, context = null;
        bool customer = false, bucketKey = false;
        int chunk = EncryptedLayout.DefaultChunkSize;
        long plain = 0;
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("sse is not an object");
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string name = r.GetString()!;
            r.Read();
            switch (name)
            {
                case "alg": algorithm = r.GetString()!; break;
                case "customer": customer = r.GetBoolean(); break;
                case "keyMd5": keyMd5 = r.GetString(); break;
                case "verifier": verifier = r.GetString(); break;
                case "wrapped": wrapped = r.GetString(); break;
                case "kmsKey": kmsKey = r.GetString(); break;
                case "context": context = r.GetString(); break;
                case "bucketKey": bucketKey = r.GetBoolean(); break;
                case "chunk": chunk = r.GetInt32(); break;
                case "plain": plain = r.GetInt64(); break;
                default: r.Skip(); break;
            }
        }
        return new ObjectEncryption
        {
            Algorithm = algorithm, CustomerKey = customer, CustomerKeyMd5 = keyMd5, KeyVerifier = verifier,
            WrappedKey = wrapped, KmsKeyId = kmsKey, KmsContext = context, BucketKeyEnabled = bucketKey,
            ChunkSize = chunk, PlainSize = plain,
        };
    }

    private static void WriteOptional(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value != null) w.WriteString(name, value);
    }

    /// <summary>The fixed part followed by the metadata: the bytes to write at offset 0.</summary>
    public static byte[] Build(ReadOnlySpan<byte> metadata, long bodyOffset, long bodyLength,
        uint version = SingleFileVersion)
    {
        if (bodyOffset < FixedSize + metadata.Length || bodyOffset % Alignment != 0)
            throw new ArgumentOutOfRangeException(nameof(bodyOffset));
        var block = new byte[FixedSize + metadata.Length];
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8), version);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(12), (uint)metadata.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(16), Crc32C.HashToUInt32(metadata));
        BinaryPrimitives.WriteInt64LittleEndian(block.AsSpan(24), bodyOffset);
        BinaryPrimitives.WriteInt64LittleEndian(block.AsSpan(32), bodyLength);
        metadata.CopyTo(block.AsSpan(FixedSize));
        return block;
    }

    /// <summary>
    /// Reads and checks the header of an open file: one read of a page in the usual case. A file that is not a
    /// well-formed header (wrong magic, version, CRC) is an <see cref="IoException"/> (EIO): the store never
    /// publishes such a file, so it means outside damage. With <paramref name="inlineBody"/> &gt; 0 the same read
    /// also takes up to that many body bytes, and a body no longer than that comes back in
    /// <see cref="StoredHeader.InlineBody"/>: a small object costs one read in all.
    /// </summary>
    public static async ValueTask<StoredHeader> ReadAsync(IoFile file, CancellationToken cancellationToken, int inlineBody = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inlineBody);
        int first = DefaultBodyOffset + inlineBody;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(first);
        try
        {
            int have = await ReadAtLeastAsync(file, buffer.AsMemory(0, first), 0, FixedSize, cancellationToken).ConfigureAwait(false);
            if (have < FixedSize || !buffer.AsSpan(0, 8).SequenceEqual(Magic))
                throw Corrupt(file.Path, "no object header");
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(8));
            int length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12)), int.MaxValue);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(16));
            long bodyOffset = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(24));
            long bodyLength = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(32));
            if (version is not (SingleFileVersion or ManifestVersion)) throw Corrupt(file.Path, $"header version {version}");
            if (length > MaxMetadataBytes || bodyOffset < FixedSize + length || bodyLength < 0)
                throw Corrupt(file.Path, "header fields out of range");
            if (FixedSize + length > buffer.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(FixedSize + length);
                buffer.AsSpan(0, have).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            if (have < FixedSize + length)
                have += await ReadAtLeastAsync(file, buffer.AsMemory(have, FixedSize + length - have), have,
                    FixedSize + length - have, cancellationToken).ConfigureAwait(false);
            if (have < FixedSize + length) throw Corrupt(file.Path, "header cut short");
            var metadata = buffer.AsSpan(FixedSize, length);
            if (Crc32C.HashToUInt32(metadata) != crc) throw Corrupt(file.Path, "header checksum mismatch");
            var (meta, part, partsDirectory, uploadId) = Parse(metadata, file.Path);
            if (meta.Size != bodyLength) throw Corrupt(file.Path, "size disagrees with the header");
            bool manifest = version == ManifestVersion;
            if (manifest && partsDirectory == null) throw Corrupt(file.Path, "a manifest without its parts directory");
            byte[]? body = null;
            // A manifest's body region is its part list, never the object's bytes: it is not read inline.
            bool inline = !manifest && inlineBody > 0 && bodyLength <= inlineBody && bodyOffset + bodyLength <= first;
            if (inline && bodyLength == 0) body = []; // an empty body's file may end before the body offset
            else if (inline)
            {
                int end = (int)(bodyOffset + bodyLength);
                if (have < end)
                    have += await ReadAtLeastAsync(file, buffer.AsMemory(have, end - have), have, end - have, cancellationToken)
                        .ConfigureAwait(false);
                if (have < end) throw Corrupt(file.Path, "body cut short");
                body = buffer.AsSpan((int)bodyOffset, (int)bodyLength).ToArray();
            }
            return new StoredHeader(meta, bodyOffset, bodyLength, part, manifest ? partsDirectory : null,
                manifest ? uploadId : null, body);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads into <paramref name="buffer"/> until at least <paramref name="minimum"/> bytes are in, or the end.</summary>
    private static async ValueTask<int> ReadAtLeastAsync(IoFile file, Memory<byte> buffer, long offset, int minimum,
        CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < minimum)
        {
            int n = await file.ReadAsync(buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static (ObjectMetadata Metadata, int PartNumber, string? PartsDirectory, string? UploadId) Parse(
        ReadOnlySpan<byte> json, string path)
    {
        string? partsDirectory = null, uploadId = null;
        string? key = null, etag = null, checksum = null, checksumType = null;
        string? contentType = null, contentEncoding = null, contentDisposition = null, contentLanguage = null;
        string? cacheControl = null, expires = null, storageClass = null;
        long size = -1, modified = 0;
        int parts = 0, part = 0;
        string? versionId = null;
        bool nullVersion = false, deleteMarker = false, legalHold = false, legalHoldSet = false;
        string? lockMode = null;
        long? retainUntil = null;
        var algorithm = ChecksumAlgorithm.None;
        List<KeyValuePair<string, byte[]>>? meta = null;
        List<KeyValuePair<string, string>>? tags = null;
        ObjectEncryption? encryption = null;
        Access.AccessControlList? acl = null;
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw Corrupt(path, "metadata is not an object");
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                string name = r.GetString()!;
                r.Read();
                switch (name)
                {
                    case "key": key = r.GetString(); break;
                    case "size": size = r.GetInt64(); break;
                    case "etag": etag = r.GetString(); break;
                    case "modified": modified = r.GetInt64(); break;
                    case "part": part = r.GetInt32(); break;
                    case "parts": parts = r.GetInt32(); break;
                    case "partsDir": partsDirectory = r.GetString(); break;
                    case "upload": uploadId = r.GetString(); break;
                    case "versionId": versionId = r.GetString(); break;
                    case "nullVersion": nullVersion = r.GetBoolean(); break;
                    case "deleteMarker": deleteMarker = r.GetBoolean(); break;
                    case "checksumAlgorithm":
                        if (!ChecksumAlgorithmExtensions.TryParse(r.GetString().AsSpan(), out algorithm))
                            throw Corrupt(path, "unknown checksum algorithm");
                        break;
                    case "checksum": checksum = r.GetString(); break;
                    case "checksumType": checksumType = r.GetString(); break;
                    case "contentType": contentType = r.GetString(); break;
                    case "contentEncoding": contentEncoding = r.GetString(); break;
                    case "contentDisposition": contentDisposition = r.GetString(); break;
                    case "contentLanguage": contentLanguage = r.GetString(); break;
                    case "cacheControl": cacheControl = r.GetString(); break;
                    case "expires": expires = r.GetString(); break;
                    case "storageClass": storageClass = r.GetString(); break;
                    case "meta":
                    case "metaBase64":
                        bool base64 = name == "metaBase64";
                        meta = [];
                        while (r.Read() && r.TokenType == JsonTokenType.StartArray)
                        {
                            r.Read();
                            string n = r.GetString()!;
                            r.Read();
                            byte[] v = base64 ? r.GetBytesFromBase64() : Encoding.UTF8.GetBytes(r.GetString()!);
                            r.Read();
                            meta.Add(new(n, v));
                        }
                        break;
                    case "tags":
                        tags = [];
                        while (r.Read() && r.TokenType == JsonTokenType.StartArray)
                        {
                            r.Read();
                            string n = r.GetString()!;
                            r.Read();
                            string v = r.GetString()!;
                            r.Read();
                            tags.Add(new(n, v));
                        }
                        break;
                    case "sse": encryption = ReadEncryption(ref r); break;
                    case "lockMode": lockMode = r.GetString(); break;
                    case "retainUntil": retainUntil = r.GetInt64(); break;
                    case "legalHold": legalHold = r.GetBoolean(); legalHoldSet = true; break;
                    case "acl": acl = ParseAcl(r.GetString(), path); break;
                    default: r.Skip(); break; // fields from a later minor format are ignored
                }
            }
        }
        catch (JsonException e) { throw Corrupt(path, "metadata JSON: " + e.Message); }
        catch (InvalidOperationException e) { throw Corrupt(path, "metadata JSON: " + e.Message); }
        if (key == null || etag == null || size < 0) throw Corrupt(path, "metadata lacks key, size or etag");
        var attributes = new ObjectAttributes
        {
            ContentType = contentType,
            ContentEncoding = contentEncoding,
            ContentDisposition = contentDisposition,
            ContentLanguage = contentLanguage,
            CacheControl = cacheControl,
            Expires = expires,
            StorageClass = storageClass,
            UserMetadata = (IReadOnlyList<KeyValuePair<string, byte[]>>?)meta ?? [],
            Tags = (IReadOnlyList<KeyValuePair<string, string>>?)tags ?? [],
            Encryption = encryption,
            LockMode = lockMode,
            RetainUntil = retainUntil is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            LegalHold = legalHold,
            LegalHoldSet = legalHoldSet,
            Acl = acl,
        };
        return (new ObjectMetadata
        {
            Key = key,
            Size = size,
            ETag = etag,
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(modified),
            Attributes = attributes,
            ChecksumAlgorithm = algorithm,
            Checksum = checksum,
            ChecksumType = checksumType,
            PartCount = parts,
            VersionId = versionId,
            IsNullVersion = nullVersion,
            IsDeleteMarker = deleteMarker,
        }, part, partsDirectory, uploadId);
    }

    internal static IoException Corrupt(string path, string what) =>
        new("read", 5 /* EIO */, $"corrupt stored object {path}: {what}");
}

/// <summary>
/// A parsed header: the metadata and where the body lies in the file (and the body itself when read inline). For a
/// manifest (version 2), <see cref="PartsDirectory"/> names its parts directory and <see cref="UploadId"/> the upload it
/// completed (null for a copy); the body region then holds the part list.
/// </summary>
internal readonly record struct StoredHeader(ObjectMetadata Metadata, long BodyOffset, long BodyLength, int PartNumber,
    string? PartsDirectory = null, string? UploadId = null, byte[]? InlineBody = null)
{
    public bool IsManifest => PartsDirectory != null;
}
