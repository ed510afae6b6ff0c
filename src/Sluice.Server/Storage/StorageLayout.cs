using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Naming;

namespace Sluice.Server.Storage;

/// <summary>
/// Where everything lives under the data directory. Keys never become path components: an object's file is named by
/// the SHA-256 of its key's UTF-8 bytes, so no key ("..", "a//b", 1 KiB of unicode) can reach outside its bucket
/// directory or share a file with another key; the key itself is stored in the header and checked on every read.
/// <code>
/// DIR/.lock                               flock: one store process per directory
/// DIR/.tmp/                               temp files and directories (same filesystem; emptied at open)
/// DIR/.multipart/&lt;bucket&gt;/&lt;uploadId&gt;/      upload record "upload" and part files "part-00001" ...
/// DIR/&lt;bucket&gt;/.bucket                      creation date
/// DIR/&lt;bucket&gt;/ab/cd/abcd…(64 hex)         object = header block + body (ab, cd: the hash's first bytes),
///                                         or a multipart object's manifest (header + part list)
/// DIR/&lt;bucket&gt;/.parts/abcd….&lt;id&gt;/       a manifest's part files "part-00001" ... (hard links of the upload's)
/// </code>
/// Names starting with "." cannot be buckets (bucket names start with a letter or digit), so system entries and
/// buckets never meet.
/// </summary>
internal sealed class StorageLayout
{
    /// <summary>
    /// Commits of keys on the same stripe are serialized (conditional writes need check-and-rename, and the server's
    /// key index records the write durably before the rename, under the stripe). 256, every value of the hash's
    /// first byte: concurrent writers of different keys rarely wait for each other's journal fsync.
    /// </summary>
    public const int StripeCount = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public StorageLayout(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        Temp = Path.Join(Root, ".tmp");
        Multipart = Path.Join(Root, ".multipart");
        LockFile = Path.Join(Root, ".lock");
    }

    public string Root { get; }
    public string Temp { get; }
    public string Multipart { get; }
    public string LockFile { get; }

    public string Bucket(string bucket) => Path.Join(Root, CheckBucket(bucket));
    public string BucketMarker(string bucket) => Path.Join(Root, CheckBucket(bucket), ".bucket");
    /// <summary>The bucket's settings directory (tagging...); a dot name, so it is never taken for objects.</summary>
    public string BucketSettings(string bucket) => Path.Join(Root, CheckBucket(bucket), ".config");

    public string BucketSetting(string bucket, BucketSetting setting) =>
        Path.Join(BucketSettings(bucket), setting.ToString().ToLowerInvariant());

    public string MultipartBucket(string bucket) => Path.Join(Multipart, CheckBucket(bucket));

    public string Upload(string bucket, string uploadId) => Path.Join(MultipartBucket(bucket), CheckUploadId(uploadId));
    public string UploadRecord(string bucket, string uploadId) => Path.Join(Upload(bucket, uploadId), "upload");

    public string Part(string bucket, string uploadId, int partNumber) =>
        Path.Join(Upload(bucket, uploadId), PartFileName(partNumber));

    /// <summary>The bucket's directory of manifests' part directories.</summary>
    public string PartsRoot(string bucket) => Path.Join(Bucket(bucket), ".parts");

    /// <summary>A manifest's parts directory; a name that is not ours is damage (EIO), never a path.</summary>
    public string PartsDirectory(string bucket, string name)
    {
        if (!TryParsePartsDirectoryName(name, out _))
            throw new IO.IoException("read", 5 /* EIO */, $"corrupt manifest in bucket {bucket}: parts directory '{name}'");
        return Path.Join(PartsRoot(bucket), name);
    }

    /// <summary>A fresh parts directory name for the object at <paramref name="location"/>: its file name, '.', 128 random bits.</summary>
    public static string NewPartsDirectoryName(ObjectLocation location) =>
        Path.GetFileName(location.File) + "." + NewUploadId();

    /// <summary>Whether <paramref name="name"/> is a parts directory name; <paramref name="objectName"/> is its object's file name.</summary>
    public static bool TryParsePartsDirectoryName(string name, out string objectName)
    {
        objectName = "";
        int dot = 2 * SHA256.HashSizeInBytes;
        if (name.Length != dot + 1 + UploadIdLength || name[dot] != '.' || !IsObjectFileName(name.AsSpan(0, dot)))
            return false;
        foreach (char c in name.AsSpan(dot + 1))
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;
        objectName = name[..dot];
        return true;
    }

    /// <summary>The location of the object whose file is named <paramref name="objectName"/> (64 hex digits).</summary>
    public ObjectLocation ObjectByName(string bucket, string objectName)
    {
        string outer = Path.Join(Bucket(bucket), objectName[..2]);
        string inner = Path.Join(outer, objectName[2..4]);
        int first = Convert.ToInt32(objectName[..2], 16);
        return new ObjectLocation(outer, inner, Path.Join(inner, objectName), first % StripeCount);
    }

    public static string PartFileName(int partNumber) => "part-" + partNumber.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A fresh name in the temp directory (128 random bits).</summary>
    public string NewTemp() => Path.Join(Temp, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    /// <summary>The file of <paramref name="key"/> in <paramref name="bucket"/>, and its lock stripe.</summary>
    public ObjectLocation Object(string bucket, string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(KeyBytes(key), hash);
        string name = Convert.ToHexStringLower(hash);
        string outer = Path.Join(Bucket(bucket), name[..2]);
        string inner = Path.Join(outer, name[2..4]);
        return new ObjectLocation(outer, inner, Path.Join(inner, name), hash[0] % StripeCount);
    }

    /// <summary>Whether a directory entry is an object file: 64 lowercase hex digits.</summary>
    public static bool IsObjectFileName(ReadOnlySpan<char> name)
    {
        if (name.Length != 2 * SHA256.HashSizeInBytes) return false;
        foreach (char c in name)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>The key's UTF-8 bytes; KeyTooLongError past 1024 bytes, InvalidArgument for an empty or ill-formed key.</summary>
    public static byte[] KeyBytes(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) throw S3StorageException.Of(S3ErrorCode.InvalidArgument, "An object key cannot be empty.");
        byte[] bytes;
        try { bytes = StrictUtf8.GetBytes(key); }
        catch (EncoderFallbackException)
        {
            throw S3StorageException.Of(S3ErrorCode.InvalidArgument, "The object key is not valid Unicode.");
        }
        var problem = ObjectKeyRules.Validate(bytes);
        if (!problem.IsNone) throw new S3StorageException(problem.ToError());
        return bytes;
    }

    /// <summary>Bucket names reach the filesystem, so they are checked here too, whatever the caller did.</summary>
    public static string CheckBucket(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        if (bucket.Length == 0 || bucket.Length > BucketNameRules.MaxLength || bucket[0] == '.' ||
            !BucketNameRules.IsValid(Encoding.UTF8.GetBytes(bucket)))
            throw S3StorageException.Of(S3ErrorCode.InvalidBucketName, null, "/" + bucket);
        return bucket;
    }

    /// <summary>Upload ids are ours (22 base64url characters); anything else names no upload and never a path.</summary>
    public static string CheckUploadId(string uploadId)
    {
        ArgumentNullException.ThrowIfNull(uploadId);
        if (uploadId.Length != UploadIdLength) throw S3StorageException.NoSuchUpload(uploadId);
        foreach (char c in uploadId)
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') throw S3StorageException.NoSuchUpload(uploadId);
        return uploadId;
    }

    /// <summary>16 random bytes in unpadded base64url.</summary>
    public const int UploadIdLength = 22;

    public static string NewUploadId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>An object's two fan-out directories, its file, and its lock stripe.</summary>
internal readonly record struct ObjectLocation(string OuterDirectory, string Directory, string File, int Stripe);
