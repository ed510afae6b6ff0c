using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Objects;
using Sluice.Server.Exchange;
using Sluice.Server.Service.Encryption;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Encryption at rest: which encryption a write asks for (SSE-C headers, <c>x-amz-server-side-encryption</c> with
/// SSE-KMS's key id, context and bucket key, or else the bucket's default), the key a read of an encrypted version
/// needs (SSE-C: the customer's key again, checked against the stored verifier; SSE-S3/KMS: the stored data key,
/// unwrapped), and the response headers that say what was done. Unencrypted objects never come here: the handlers
/// branch on <see cref="ObjectAttributes.Encryption"/> (reads) or on these headers and the bucket's default (writes).
/// </summary>
public sealed partial class S3RequestHandler
{
    private const string CustomerPrefix = "x-amz-server-side-encryption-customer-";
    private const string CopySourceCustomerPrefix = "x-amz-copy-source-server-side-encryption-customer-";
    private const string KmsKeyIdHeader = "x-amz-server-side-encryption-aws-kms-key-id";
    private const string KmsContextHeader = "x-amz-server-side-encryption-context";
    private const string BucketKeyHeader = "x-amz-server-side-encryption-bucket-key-enabled";
    private const string StoredEncrypted = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.";

    /// <summary>The server's SSE-S3 master key and SSE-KMS keys (a per-process master key and no KMS unless set).</summary>
    internal SseKeyring Keys { get; init; } = new(null);

    /// <summary>Each bucket's default encryption as last read (null: none), so a write without encryption headers
    /// does not read the setting from the store each time. Changed only through this handler (Put/DeleteBucketEncryption,
    /// DeleteBucket), which updates it.</summary>
    private readonly ConcurrentDictionary<string, BucketDefaultEncryption?> _bucketEncryption = new(StringComparer.Ordinal);
    private int _encryptionGeneration;

    /// <summary>What a write stores (the attributes' <see cref="ObjectEncryption"/>, before sizes) and its data key.</summary>
    private sealed record SseWrite(ObjectEncryption Template, byte[] DataKey);

    private sealed record BucketDefaultEncryption(string Algorithm, string? KmsKeyId, bool BucketKey);

    /// <summary>How a key is being presented: reading a version, naming a copy source, or writing a part of an upload.</summary>
    private enum KeyUse { Read, CopySource, Part }

    // ---------------------------------------------------------------- what a write asks for

    /// <summary>True when the request carries any x-amz-server-side-encryption* header (one pass, no allocation).</summary>
    private static bool HasSseHeaders(S3Exchange x)
    {
        var head = x.HeadBytes.Span;
        foreach (var field in x.Request.Headers.Fields)
        {
            var name = field.Name.Of(head);
            if (name.Length >= 28 && Ascii.EqualsIgnoreCase(name[..28], "x-amz-server-side-encryption"u8)) return true;
        }
        return false;
    }

    /// <summary>True when the request carries an SSE-C header (one pass, no allocation: the plain GET path asks).</summary>
    private static bool HasCustomerKeyHeaders(S3Exchange x)
    {
        var head = x.HeadBytes.Span;
        var prefix = "x-amz-server-side-encryption-customer-"u8;
        foreach (var field in x.Request.Headers.Fields)
        {
            var name = field.Name.Of(head);
            if (name.Length >= prefix.Length && Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix)) return true;
        }
        return false;
    }

    private static bool HasHeaderPrefix(S3Exchange x, string prefix)
    {
        var head = x.HeadBytes.Span;
        Span<byte> wanted = stackalloc byte[prefix.Length];
        Encoding.ASCII.GetBytes(prefix, wanted);
        foreach (var field in x.Request.Headers.Fields)
        {
            var name = field.Name.Of(head);
            if (name.Length >= wanted.Length && Ascii.EqualsIgnoreCase(name[..wanted.Length], wanted)) return true;
        }
        return false;
    }

    /// <summary>
    /// The encryption a write asks for, or the bucket's default when it asks for none; null: stored as sent. The
    /// headers are checked as S3 checks them (InvalidArgument, InvalidEncryptionAlgorithmError, KMS.NotFoundException).
    /// </summary>
    private async ValueTask<SseWrite?> ReadWriteEncryptionAsync(S3Exchange x, string bucket)
    {
        if (!HasSseHeaders(x))
        {
            var defaults = await GetBucketEncryptionAsync(bucket);
            return defaults == null ? null : NewWrite(defaults.Algorithm, defaults.KmsKeyId, null, defaults.BucketKey);
        }
        string? method = Header(x, KnownHeader.XAmzServerSideEncryption)?.Trim();
        var customer = ReadCustomerKey(x, CustomerPrefix);
        string? kmsKeyId = FindHeader(x, KmsKeyIdHeader)?.Trim();
        string? context = FindHeader(x, KmsContextHeader)?.Trim();
        string? bucketKeyText = FindHeader(x, BucketKeyHeader)?.Trim();
        if (customer is { } c)
        {
            if (method != null)
                throw Invalid("Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
                    "x-amz-server-side-encryption", method);
            if (kmsKeyId != null || context != null)
                throw Invalid("Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
                    kmsKeyId != null ? KmsKeyIdHeader : KmsContextHeader, kmsKeyId ?? context!);
            var template = new ObjectEncryption
            {
                Algorithm = ObjectEncryption.Aes256,
                CustomerKey = true,
                CustomerKeyMd5 = c.KeyMd5,
                KeyVerifier = NewVerifier(c.Key),
            };
            return new SseWrite(template, c.Key);
        }
        if (method != ObjectEncryption.Kms && (kmsKeyId != null || context != null))
            throw Invalid("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
                kmsKeyId != null ? KmsKeyIdHeader : KmsContextHeader, kmsKeyId ?? context!);
        bool? bucketKey = bucketKeyText == null ? null
            : bucketKeyText.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
            : bucketKeyText.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
            : throw Invalid("Invalid value for x-amz-server-side-encryption-bucket-key-enabled.", BucketKeyHeader, bucketKeyText);
        if (method == null)
        {
            // Only a bucket-key header: the bucket's default applies.
            var defaults = await GetBucketEncryptionAsync(bucket);
            return defaults == null ? null : NewWrite(defaults.Algorithm, defaults.KmsKeyId, null, bucketKey ?? defaults.BucketKey);
        }
        if (context != null) CheckKmsContext(context);
        return NewWrite(method, kmsKeyId, context, bucketKey ?? false);
    }

    /// <summary>A new data key for SSE-S3 (<paramref name="algorithm"/> AES256) or SSE-KMS (aws:kms).</summary>
    private SseWrite NewWrite(string algorithm, string? kmsKeyId, string? context, bool bucketKey)
    {
        if (algorithm == ObjectEncryption.Aes256)
        {
            var (dataKey, wrapped) = Keys.NewS3Key();
            return new SseWrite(new ObjectEncryption { Algorithm = ObjectEncryption.Aes256, WrappedKey = wrapped }, dataKey);
        }
        var key = FindKmsKey(kmsKeyId);
        var (kmsDataKey, kmsWrapped) = SseKeyring.NewKmsKey(key, context);
        return new SseWrite(new ObjectEncryption
        {
            Algorithm = ObjectEncryption.Kms,
            WrappedKey = kmsWrapped,
            KmsKeyId = key.Id,
            KmsContext = context,
            BucketKeyEnabled = bucketKey,
        }, kmsDataKey);
    }

    /// <summary>The KMS key a request or configuration names (null: the key file's first, the default key).</summary>
    private KmsKey FindKmsKey(string? id)
    {
        if (!Keys.HasKms)
            ThrowProblem(S3ErrorCode.NotImplemented,
                "SSE-KMS is not configured on this server: start it with --kms-keys FILE (a key id and a base64 256-bit key per line).");
        if (string.IsNullOrEmpty(id)) return Keys.KmsKeys[0];
        return Keys.FindKms(id) ?? throw new S3RequestException(new S3Error(S3ErrorCode.KmsNotFound, $"Invalid keyId '{id}'"));
    }

    /// <summary>x-amz-server-side-encryption-context: base64 of a JSON object whose values are strings.</summary>
    private static void CheckKmsContext(string context)
    {
        const string Message = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";
        try
        {
            using var json = JsonDocument.Parse(Convert.FromBase64String(context));
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException();
            foreach (var property in json.RootElement.EnumerateObject())
                if (property.Value.ValueKind != JsonValueKind.String) throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid(Message, KmsContextHeader, context);
        }
    }

    private readonly record struct CustomerKey(byte[] Key, string KeyMd5);

    /// <summary>
    /// The SSE-C headers under <paramref name="prefix"/> (the object's or the copy source's): null when none is sent;
    /// otherwise all three, an AES256 algorithm, a 256-bit key and its matching MD5, or S3's error for what is wrong.
    /// </summary>
    private static CustomerKey? ReadCustomerKey(S3Exchange x, string prefix)
    {
        string? algorithm = FindHeader(x, prefix + "algorithm")?.Trim();
        string? key = FindHeader(x, prefix + "key")?.Trim();
        string? md5 = FindHeader(x, prefix + "key-MD5")?.Trim();
        if (algorithm == null && key == null && md5 == null) return null;
        if (algorithm == null)
            throw Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.",
                prefix + "algorithm", "null");
        if (algorithm != ObjectEncryption.Aes256)
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidEncryptionAlgorithmError,
                "The Encryption request you specified is not valid. Supported value: AES256.")
                .WithDetail("ArgumentName", prefix + "algorithm").WithDetail("ArgumentValue", algorithm));
        if (key == null)
            throw Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.",
                prefix + "key", "null");
        byte[] material = new byte[33];
        if (!Convert.TryFromBase64String(key, material, out int length) || length != 32)
            throw Invalid("The secret key was invalid for the specified algorithm.", prefix + "key", "");
        material = material[..32];
        if (md5 == null)
            throw Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.",
                prefix + "key-MD5", "null");
        string actual = Convert.ToBase64String(Md5Of(material));
        if (!string.Equals(actual, md5, StringComparison.Ordinal))
            throw Invalid("The calculated MD5 hash of the key did not match the hash that was provided.", prefix + "key-MD5", md5);
        return new CustomerKey(material, md5);
    }

    private static byte[] Md5Of(byte[] data)
    {
        var md5 = new byte[Md5Digest.HashSizeInBytes];
        Md5Digest.HashData(data, md5);
        return md5;
    }

    private static S3RequestException Invalid(string message, string name, string value) =>
        new(S3Problem.InvalidArgument(message, name, value).ToError());

    // ---------------------------------------------------------------- the key of a stored version

    private static ReadOnlySpan<byte> VerifierLabel => "sluice-sse-c-verifier-v1"u8;

    /// <summary>A random salt and HMAC-SHA256(key, label || salt): proves a later key is the same without keeping it.</summary>
    private static string NewVerifier(byte[] key)
    {
        Span<byte> verifier = stackalloc byte[16 + 32];
        RandomNumberGenerator.Fill(verifier[..16]);
        Mac(key, verifier[..16], verifier[16..]);
        return Convert.ToBase64String(verifier);
    }

    private static bool Verifies(byte[] key, string verifier)
    {
        Span<byte> stored = stackalloc byte[48];
        if (!Convert.TryFromBase64String(verifier, stored, out int n) || n != 48) return false;
        Span<byte> mac = stackalloc byte[32];
        Mac(key, stored[..16], mac);
        return CryptographicOperations.FixedTimeEquals(mac, stored[16..]);
    }

    private static void Mac(byte[] key, ReadOnlySpan<byte> salt, Span<byte> mac)
    {
        Span<byte> input = stackalloc byte[VerifierLabel.Length + 16];
        VerifierLabel.CopyTo(input);
        salt.CopyTo(input[VerifierLabel.Length..]);
        HMACSHA256.HashData(key, input, mac);
    }

    /// <summary>
    /// The data key of a version (or upload) encrypted as <paramref name="e"/>. SSE-C: the request must present the key
    /// again (400 InvalidRequest without it; 403 AccessDenied for another key, as S3 answers a GET — for an upload's part,
    /// 400 InvalidRequest); SSE-S3/KMS: the stored key, unwrapped, and SSE-C headers are not applicable.
    /// </summary>
    private byte[] DataKeyFor(S3Exchange x, ObjectEncryption e, KeyUse use)
    {
        string prefix = use == KeyUse.CopySource ? CopySourceCustomerPrefix : CustomerPrefix;
        var presented = ReadCustomerKey(x, prefix);
        if (e.CustomerKey)
        {
            if (presented is not { } c)
                ThrowProblem(S3ErrorCode.InvalidRequest, use == KeyUse.Part
                    ? "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."
                    : StoredEncrypted);
            if (!Verifies(presented!.Value.Key, e.KeyVerifier ?? ""))
            {
                if (use == KeyUse.Part)
                    ThrowProblem(S3ErrorCode.InvalidRequest, "The provided encryption parameters did not match the ones used originally.");
                ThrowProblem(S3ErrorCode.AccessDenied, "Access Denied");
            }
            return presented.Value.Key;
        }
        if (presented != null)
            ThrowProblem(S3ErrorCode.InvalidRequest, use == KeyUse.Part
                ? "The multipart upload initiate did not request encryption with a customer-provided key."
                : "The encryption parameters are not applicable to this object.");
        try
        {
            if (e.Algorithm == ObjectEncryption.Kms)
            {
                var key = Keys.FindKms(e.KmsKeyId ?? "")
                    ?? throw new S3RequestException(new S3Error(S3ErrorCode.KmsNotFound, $"Invalid keyId '{e.KmsKeyId}'"));
                return SseKeyring.UnwrapKms(key, e.WrappedKey ?? "", e.KmsContext);
            }
            return Keys.UnwrapS3(e.WrappedKey ?? "");
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new IOException("the stored data key could not be unwrapped (a different master key or KMS key?)", ex);
        }
    }

    /// <summary>The response headers that say how the version is encrypted (on a write, also the KMS context).</summary>
    private static void AddSseHeaders(S3Exchange x, ObjectEncryption e, bool write = false)
    {
        if (e.CustomerKey)
        {
            x.AddHeader("x-amz-server-side-encryption-customer-algorithm"u8, "AES256"u8);
            x.AddHeader("x-amz-server-side-encryption-customer-key-MD5"u8, Encoding.ASCII.GetBytes(e.CustomerKeyMd5 ?? ""));
            return;
        }
        x.AddHeader(KnownHeader.XAmzServerSideEncryption, Encoding.ASCII.GetBytes(e.Algorithm));
        if (e.KmsKeyId != null) x.AddHeader("x-amz-server-side-encryption-aws-kms-key-id"u8, Encoding.UTF8.GetBytes(e.KmsKeyId));
        if (write && e.KmsContext != null) x.AddHeader("x-amz-server-side-encryption-context"u8, Encoding.ASCII.GetBytes(e.KmsContext));
        if (e.BucketKeyEnabled) x.AddHeader("x-amz-server-side-encryption-bucket-key-enabled"u8, "true"u8);
    }

    /// <summary>An XML answer (200) with the headers that say how the version written is encrypted, when it is.</summary>
    private static ValueTask SendXmlAsync(S3Exchange x, System.Buffers.ArrayBufferWriter<byte> body, ObjectEncryption? encryption)
    {
        if (encryption == null) return SendXmlAsync(x, body);
        x.SetStatus(200);
        AddSseHeaders(x, encryption, write: true);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        return x.SendAsync(body.WrittenMemory);
    }

    /// <summary>The ETag an encrypted write stores: SSE-S3 keeps S3's plaintext MD5; SSE-C and SSE-KMS do not (null:
    /// the store's, the MD5 of the ciphertext), as S3 documents.</summary>
    private static string? EncryptedETag(ObjectEncryption e, byte[] plainMd5)
    {
        if (e.CustomerKey || e.Algorithm == ObjectEncryption.Kms) return null;
        Span<byte> etag = stackalloc byte[ETag.SinglePartLength];
        ETag.FormatSinglePart(plainMd5, etag);
        return Encoding.ASCII.GetString(etag);
    }

    /// <summary>BadDigest when the plaintext's MD5 or checksum is not what the client sent.</summary>
    private static void CheckPlainDigests(string? contentMd5, byte[] md5, ChecksumAlgorithm algorithm, string? expected, string? actual)
    {
        if (contentMd5 != null && !string.Equals(Convert.ToBase64String(md5), contentMd5.Trim(), StringComparison.Ordinal))
            ThrowProblem(S3ErrorCode.BadDigest, "The Content-MD5 you specified did not match what we received.");
        if (expected != null && algorithm != ChecksumAlgorithm.None && !string.Equals(actual, expected.Trim(), StringComparison.Ordinal))
            ThrowProblem(S3ErrorCode.BadDigest, $"The {algorithm.GetHeaderName()} you specified did not match the calculated checksum.");
    }

    // ---------------------------------------------------------------- reads

    /// <summary>
    /// The plaintext of an open encrypted version: its streams are one for a single PUT, or its parts (found again and
    /// checked to be this version's; OperationAborted if the key was replaced in between, which a client retries).
    /// </summary>
    private async ValueTask<SseDecryptingReader> OpenPlaintextAsync(string bucket, string key, IObjectReader stored, byte[] dataKey)
    {
        var m = stored.Metadata;
        var e = m.Attributes.Encryption!;
        IReadOnlyList<long> streams = [stored.Length];
        if (m.PartCount > 0)
        {
            // The parts of this very version (a noncurrent one is named by its id).
            var parts = await _objects.GetPartsAsync(bucket, key, m.VersionIdHeader, details: false);
            var lengths = parts.Parts.Select(p => p.Size).ToArray();
            if (parts.Metadata.ETag != m.ETag || parts.Metadata.LastModified != m.LastModified || lengths.Sum() != stored.Length)
                throw new S3RequestException(new S3Error(S3ErrorCode.OperationAborted) { Resource = "/" + bucket + "/" + key });
            streams = lengths;
        }
        return new SseDecryptingReader(stored, ObjectEncryption.Present(m), dataKey, e.ChunkSize, streams);
    }

    /// <summary>GET/HEAD of an encrypted version: the key checked, conditions and Range over the plaintext, the range decrypted.</summary>
    private async ValueTask GetEncryptedAsync(S3Exchange x, RequestContext c, bool head, IObjectReader? stored, ObjectMetadata metadata)
    {
        var e = metadata.Attributes.Encryption!;
        byte[] dataKey = DataKeyFor(x, e, KeyUse.Read);
        var presented = ObjectEncryption.Present(metadata);
        var outcome = PrepareRead(x, c.Route.Query, presented, out var range);
        if (outcome is ReadOutcome.Send or ReadOutcome.NotModified) AddSseHeaders(x, e);
        if (outcome == ReadOutcome.Send && !c.Route.Query.Has(Routing.S3QueryParameter.VersionId)) AddExpirationHeader(x, c, metadata);
        SseDecryptingReader? plain = null;
        try
        {
            if (outcome == ReadOutcome.Send && !head && range.Length > 0 && stored != null)
                plain = await OpenPlaintextAsync(c.Route.GetBucketString(), c.Route.GetKeyString(), stored, dataKey);
            await AnswerReadAsync(x, c, outcome, presented.Size, range, plain, head);
        }
        finally
        {
            if (plain != null) await plain.DisposeAsync();
        }
    }

    /// <summary>GET/HEAD partNumber of an encrypted version: the part's plaintext range, decrypted.</summary>
    private async ValueTask GetEncryptedPartAsync(S3Exchange x, RequestContext c, bool head, ObjectParts parts, int number)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var metadata = parts.Metadata;
        var e = metadata.Attributes.Encryption!;
        byte[] dataKey = DataKeyFor(x, e, KeyUse.Read);
        var presented = ObjectEncryption.Present(metadata);
        var part = new Sluice.S3.Ranges.ByteRange(0, presented.Size);
        if (parts.Parts.Count == 0)
        {
            if (number != 1) throw InvalidPartNumber(c);
        }
        else
        {
            if (number > parts.Parts.Count) throw InvalidPartNumber(c);
            long offset = 0;
            for (int i = 0; i < number - 1; i++) offset += EncryptedLayout.PlainLength(parts.Parts[i].Size, e.ChunkSize);
            part = new Sluice.S3.Ranges.ByteRange(offset, EncryptedLayout.PlainLength(parts.Parts[number - 1].Size, e.ChunkSize));
        }
        await using var stored = head ? null : await _objects.OpenReadAsync(bucket, key, VersionIdOf(c));
        if (stored != null && (stored.Metadata.ETag != metadata.ETag || stored.Metadata.LastModified != metadata.LastModified))
            throw new S3RequestException(new S3Error(S3ErrorCode.OperationAborted) { Resource = c.Route.GetResource() });
        if (!_objects.TryCountRead(c.Route.Bucket, c.Route.Key))
            (await _objects.GetKeyIndexAsync(bucket)).CountRead(c.Route.Key);
        var outcome = presented.Size == 0
            ? PrepareRead(x, c.Route.Query, presented, out var range)
            : PrepareRead(x, c.Route.Query, presented, out range, part, parts.Parts.Count);
        if (outcome is ReadOutcome.Send or ReadOutcome.NotModified) AddSseHeaders(x, e);
        SseDecryptingReader? plain = null;
        try
        {
            if (outcome == ReadOutcome.Send && stored != null && range.Length > 0)
                plain = new SseDecryptingReader(stored, presented, dataKey, e.ChunkSize,
                    parts.Parts.Count == 0 ? [stored.Length] : parts.Parts.Select(p => p.Size).ToArray());
            await AnswerReadAsync(x, c, outcome, presented.Size, range, plain, head);
        }
        finally
        {
            if (plain != null) await plain.DisposeAsync();
        }
    }

    /// <summary>GetObjectAttributes of an encrypted version: SSE-C needs the key; sizes are the plaintext's.</summary>
    private ObjectParts PresentEncryptedParts(S3Exchange x, ObjectParts parts)
    {
        var e = parts.Metadata.Attributes.Encryption!;
        DataKeyFor(x, e, KeyUse.Read);
        return new ObjectParts(ObjectEncryption.Present(parts.Metadata),
            parts.Parts.Select(p => p with { Size = EncryptedLayout.PlainLength(p.Size, e.ChunkSize) }).ToList());
    }

    // ---------------------------------------------------------------- writes

    /// <summary>PutObject with encryption: the body encrypted chunk by chunk into the store, its digests checked over
    /// the plaintext, then committed with the plaintext's size, ETag and checksum.</summary>
    private async ValueTask PutEncryptedAsync(S3Exchange x, RequestContext c, Sluice.S3.Auth.SigV4AuthResult auth, SseWrite sse,
        ObjectAttributes attributes, WriteCondition? condition, ChecksumAlgorithm algorithm, string? checksumHeader, bool inTrailer,
        string? contentMd5)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        c.Payload.Reset(x, auth);
        ObjectMetadata metadata;
        await using (var writer = await _objects.BeginPutAsync(bucket, key, ChecksumAlgorithm.None))
        {
            using var encryptor = new SseEncryptor(sse.DataKey, sse.Template.ChunkSize, algorithm);
            await encryptor.EncryptAsync(c.Payload, writer);
            string? expected = checksumHeader ?? (inTrailer ? ObjectHeaders.FindTrailer(c.Payload.Trailers, algorithm) : null);
            byte[] md5 = encryptor.PlainMd5();
            CheckPlainDigests(contentMd5, md5, algorithm, expected, encryptor.Checksum);
            var encryption = Sealed(sse.Template, encryptor, md5, algorithm);
            metadata = await writer.CommitAsync(attributes with { Encryption = encryption }, null, null, condition);
        }
        x.SetStatus(200);
        AddHeader(x, KnownHeader.ETag, metadata.ETag);
        AddChecksumHeaders(x, metadata);
        AddSseHeaders(x, sse.Template, write: true);
        AddVersionHeader(x, metadata);
        AddExpirationHeader(x, c, metadata);
        await x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>The encryption a commit stores: the template with the plaintext's size, ETag and checksum.</summary>
    private static ObjectEncryption Sealed(ObjectEncryption template, SseEncryptor encryptor, byte[] md5, ChecksumAlgorithm algorithm) =>
        template with
        {
            PlainSize = encryptor.PlainLength,
            ETag = EncryptedETag(template, md5),
            ChecksumAlgorithm = encryptor.Checksum == null ? ChecksumAlgorithm.None : algorithm,
            Checksum = encryptor.Checksum,
            ChecksumType = encryptor.Checksum == null ? null : ObjectStore.FullObject,
        };

    /// <summary>Writes <paramref name="length"/> plaintext bytes of <paramref name="source"/> from <paramref name="offset"/>
    /// into <paramref name="writer"/> through <paramref name="encryptor"/>.</summary>
    private static async ValueTask EncryptRangeAsync(IObjectReader source, long offset, long length, SseEncryptor encryptor, IBodyWriter writer)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            for (long done = 0; done < length;)
            {
                int want = (int)Math.Min(buffer.Length, length - done);
                int n = await source.ReadAsync(buffer.AsMemory(0, want), offset + done);
                if (n == 0) throw new IOException("the source object ended early");
                await encryptor.WriteAsync(buffer.AsMemory(0, n), writer);
                done += n;
            }
            await encryptor.FinishAsync(writer);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>UploadPart into an upload created with encryption: the part is its own stream (its own salt) under the
    /// upload's data key; its ETag (SSE-S3: the plaintext's MD5) and checksum are the plaintext's.</summary>
    private async ValueTask<PartInfo> UploadEncryptedPartAsync(S3Exchange x, RequestContext c, IPartWriter writer, ObjectEncryption e,
        ChecksumAlgorithm algorithm, string? checksumHeader, bool inTrailer, string? contentMd5)
    {
        byte[] dataKey = DataKeyFor(x, e, KeyUse.Part);
        using var encryptor = new SseEncryptor(dataKey, e.ChunkSize, writer.ChecksumAlgorithm, algorithm);
        await encryptor.EncryptAsync(c.Payload, writer);
        string? expected = checksumHeader ?? (inTrailer ? ObjectHeaders.FindTrailer(c.Payload.Trailers, algorithm) : null);
        byte[] md5 = encryptor.PlainMd5();
        string? actual = algorithm == writer.ChecksumAlgorithm ? encryptor.Checksum : encryptor.ExtraChecksum;
        CheckPlainDigests(contentMd5, md5, algorithm, expected, actual);
        return await writer.CommitAsync(encrypted: new ObjectEncryption
        {
            Algorithm = e.Algorithm,
            ETag = EncryptedETag(e, md5),
            Checksum = encryptor.Checksum,
        });
    }

    /// <summary>
    /// CopyObject when either side is encrypted: the source's plaintext (SSE-C: with the x-amz-copy-source-…-customer
    /// key) is written as a new version, encrypted as the request (or the destination bucket's default) says. Nothing
    /// is shared with the source: a copy between SSE-C keys, or from SSE-S3 to plaintext, re-encrypts every byte.
    /// </summary>
    private async ValueTask<ObjectMetadata> CopyEncryptedAsync(S3Exchange x, string sourceBucket, string sourceKey, string? sourceVersionId,
        string bucket, string key, Func<ObjectMetadata, ObjectAttributes> attributesFor, WriteCondition? condition, SseWrite? destination)
    {
        await using var stored = await OpenCopySourceAsync(sourceBucket, sourceKey, sourceVersionId);
        SseDecryptingReader? plain = null;
        try
        {
            IObjectReader source = stored;
            if (stored.Metadata.Attributes.Encryption is { } e)
                source = plain = await OpenPlaintextAsync(sourceBucket, sourceKey, stored, DataKeyFor(x, e, KeyUse.CopySource));
            else if (HasHeaderPrefix(x, CopySourceCustomerPrefix))
                ThrowProblem(S3ErrorCode.InvalidRequest, "The encryption parameters are not applicable to this object.");
            if (source.Length > MaxPutSize)
                ThrowProblem(S3ErrorCode.InvalidRequest,
                    "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
            var attributes = attributesFor(source.Metadata) with { Encryption = null };
            var algorithm = source.Metadata.ChecksumAlgorithm;
            if (destination == null)
            {
                await using var writer = await _objects.BeginPutAsync(bucket, key, algorithm);
                await Service.ObjectService.CopyRangeAsync(source, 0, source.Length, writer);
                return await writer.CommitAsync(attributes, null, null, condition);
            }
            await using (var writer = await _objects.BeginPutAsync(bucket, key, ChecksumAlgorithm.None))
            {
                using var encryptor = new SseEncryptor(destination.DataKey, destination.Template.ChunkSize, algorithm);
                await EncryptRangeAsync(source, 0, source.Length, encryptor, writer);
                var encryption = Sealed(destination.Template, encryptor, encryptor.PlainMd5(), algorithm);
                return await writer.CommitAsync(attributes with { Encryption = encryption }, null, null, condition);
            }
        }
        finally
        {
            if (plain != null) await plain.DisposeAsync();
        }
    }

    /// <summary>UploadPartCopy when the source or the upload is encrypted: the source's plaintext range, written as the
    /// upload's parts are (encrypted under its key, or as is).</summary>
    private async ValueTask<PartInfo> UploadPartCopyEncryptedAsync(S3Exchange x, RequestContext c, IObjectReader stored,
        string sourceBucket, string sourceKey)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        string uploadId = c.Route.Query.GetString(Routing.S3QueryParameter.UploadId) ?? string.Empty;
        SseDecryptingReader? plain = null;
        try
        {
            IObjectReader source = stored;
            if (stored.Metadata.Attributes.Encryption is { } e)
                source = plain = await OpenPlaintextAsync(sourceBucket, sourceKey, stored, DataKeyFor(x, e, KeyUse.CopySource));
            else if (HasHeaderPrefix(x, CopySourceCustomerPrefix))
                ThrowProblem(S3ErrorCode.InvalidRequest, "The encryption parameters are not applicable to this object.");
            CheckCopySourceConditions(x, source.Metadata);
            var range = CopyRange(x, source.Length);
            if (range.Length > MaxPartSize) ThrowProblem(S3ErrorCode.EntityTooLarge);
            await using var writer = await _objects.BeginUploadPartAsync(bucket, key, uploadId, c.Route.Query.PartNumber);
            if (writer.Upload.Attributes.Encryption is not { } target)
            {
                if (HasHeaderPrefix(x, CustomerPrefix))
                    ThrowProblem(S3ErrorCode.InvalidRequest, "The multipart upload initiate did not request encryption with a customer-provided key.");
                await Service.ObjectService.CopyRangeAsync(source, range.Offset, range.Length, writer);
                return await writer.CommitAsync();
            }
            byte[] dataKey = DataKeyFor(x, target, KeyUse.Part);
            using var encryptor = new SseEncryptor(dataKey, target.ChunkSize, writer.ChecksumAlgorithm);
            await EncryptRangeAsync(source, range.Offset, range.Length, encryptor, writer);
            return await writer.CommitAsync(encrypted: new ObjectEncryption
            {
                Algorithm = target.Algorithm,
                ETag = EncryptedETag(target, encryptor.PlainMd5()),
                Checksum = encryptor.Checksum,
            });
        }
        finally
        {
            if (plain != null) await plain.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------- bucket default encryption

    private async ValueTask<BucketDefaultEncryption?> GetBucketEncryptionAsync(string bucket)
    {
        if (_bucketEncryption.TryGetValue(bucket, out var known)) return known;
        int generation = Volatile.Read(ref _encryptionGeneration);
        byte[]? document = await _objects.GetBucketSettingAsync(bucket, BucketSetting.Encryption);
        BucketDefaultEncryption? defaults = null;
        if (document != null)
        {
            var read = Sluice.S3.Xml.ServerSideEncryptionConfiguration.Read(document);
            if (read.IsSuccess && read.Value!.Rules.Count > 0 && read.Value.Rules[0].SseAlgorithm is { } algorithm)
                defaults = new BucketDefaultEncryption(algorithm, read.Value.Rules[0].KmsMasterKeyId, read.Value.Rules[0].BucketKeyEnabled == true);
        }
        lock (_bucketEncryption)
        {
            // A configuration changed while this one was read must not be cached over the change.
            if (generation == _encryptionGeneration) _bucketEncryption[bucket] = defaults;
        }
        return defaults;
    }

    private void ForgetBucketEncryption(string bucket)
    {
        lock (_bucketEncryption)
        {
            _encryptionGeneration++;
            _bucketEncryption.TryRemove(bucket, out _);
        }
    }

    internal async ValueTask GetBucketEncryptionAsync(S3Exchange x, RequestContext c)
    {
        await SendBucketSettingAsync(x, c.Route.GetBucketString(), BucketSetting.Encryption,
            S3ErrorCode.ServerSideEncryptionConfigurationNotFoundError);
    }

    /// <summary>
    /// PutBucketEncryption: one rule with ApplyServerSideEncryptionByDefault; SSEAlgorithm AES256 or aws:kms (a
    /// KMSMasterKeyID only with aws:kms, and one the key file has); aws:kms:dsse is 501; anything else MalformedXML or
    /// InvalidArgument, and nothing changes.
    /// </summary>
    internal async ValueTask PutBucketEncryptionAsync(S3Exchange x, RequestContext c, Sluice.S3.Auth.SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth);
        var read = Sluice.S3.Xml.ServerSideEncryptionConfiguration.Read(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, read.Detail);
        var rules = read.Value!.Rules;
        if (rules.Count != 1 || !rules[0].HasDefault || rules[0].SseAlgorithm == null)
            ThrowProblem(S3ErrorCode.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema");
        var rule = rules[0];
        string algorithm = rule.SseAlgorithm!.Trim();
        if (rule.BucketKeyText != null && rule.BucketKeyEnabled == null)
            ThrowProblem(S3ErrorCode.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema");
        if (algorithm == "aws:kms:dsse")
            ThrowProblem(S3ErrorCode.NotImplemented, "Dual-layer SSE-KMS (aws:kms:dsse) is not implemented.");
        if (algorithm is not (ObjectEncryption.Aes256 or ObjectEncryption.Kms))
            ThrowProblem(S3ErrorCode.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema");
        if (algorithm == ObjectEncryption.Aes256 && rule.KmsMasterKeyId != null)
            throw Invalid("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                "ApplyServerSideEncryptionByDefault", "");
        if (algorithm == ObjectEncryption.Kms)
        {
            // A key the key file does not have would fail every write the default applies to: refused now instead.
            rule.KmsMasterKeyId = rule.KmsMasterKeyId?.Trim();
            FindKmsKey(rule.KmsMasterKeyId);
        }
        rule.SseAlgorithm = algorithm;
        var canonical = new System.Buffers.ArrayBufferWriter<byte>(256);
        read.Value.WriteTo(canonical);
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Encryption, canonical.WrittenSpan.ToArray());
        ForgetBucketEncryption(bucket);
        await SendEmptyAsync(x, 200);
    }

    internal async ValueTask DeleteBucketEncryptionAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.SetBucketSettingAsync(bucket, BucketSetting.Encryption, null);
        ForgetBucketEncryption(bucket);
        await SendEmptyAsync(x, 204);
    }
}
