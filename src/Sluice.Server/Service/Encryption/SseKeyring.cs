using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.Service.Encryption;

/// <summary>
/// The server's keys: the SSE-S3 master key and the SSE-KMS keys of <c>--kms-keys FILE</c>. Data keys are random per
/// object (per upload for a multipart object) and stored only wrapped: AES-256-GCM under the master or KMS key, with
/// what the key is for as associated data (an SSE-S3 wrapping cannot be passed off as a KMS one, nor a KMS wrapping
/// under another key id or encryption context). The master key lives in the data directory
/// (<see cref="MasterKeyFileName"/>, 32 random bytes, created mode 0600 on first use and made durable before any
/// object depends on it); with no data directory (the memory store) it is made per process, as the objects are.
/// </summary>
public sealed class SseKeyring
{
    /// <summary>The master key's file in the data directory (a dot name: never a bucket).</summary>
    public const string MasterKeyFileName = ".sse-master-key";

    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly string? _directory;
    private readonly Lock _gate = new();
    private byte[]? _master;
    private readonly Dictionary<string, KmsKey> _kms = new(StringComparer.Ordinal);

    /// <param name="dataDirectory">Where the master key is kept; null: a key for this process only.</param>
    /// <param name="kmsKeys">The KMS keys (the first is the default for aws:kms without a key id); null: no KMS.</param>
    public SseKeyring(string? dataDirectory, IReadOnlyList<KmsKey>? kmsKeys = null)
    {
        _directory = dataDirectory;
        KmsKeys = kmsKeys ?? [];
        foreach (var key in KmsKeys)
        {
            _kms.TryAdd(key.Id, key);
            // An ARN's key id also finds it ("arn:aws:kms:region:account:key/ID" → "ID"), as S3 accepts either.
            int slash = key.Id.StartsWith("arn:", StringComparison.Ordinal) ? key.Id.LastIndexOf(":key/", StringComparison.Ordinal) : -1;
            if (slash > 0) _kms.TryAdd(key.Id[(slash + 5)..], key);
        }
    }

    public IReadOnlyList<KmsKey> KmsKeys { get; }

    public bool HasKms => KmsKeys.Count > 0;

    /// <summary>The KMS key a request names (an id, an ARN ending in key/ID, or an alias as the file lists it); null: unknown.</summary>
    public KmsKey? FindKms(string id)
    {
        if (_kms.TryGetValue(id, out var key)) return key;
        int slash = id.StartsWith("arn:", StringComparison.Ordinal) ? id.LastIndexOf(":key/", StringComparison.Ordinal) : -1;
        return slash > 0 && _kms.TryGetValue(id[(slash + 5)..], out key) ? key : null;
    }

    /// <summary>Reads a key file: one <c>KEY-ID BASE64-KEY</c> per line (256-bit keys), <c>#</c> comments, blank lines.</summary>
    public static IReadOnlyList<KmsKey> ReadKmsKeyFile(string path)
    {
        var keys = new List<KmsKey>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            byte[]? material = null;
            if (fields.Length != 2)
                throw new FormatException($"{path}:{number}: expected 'KEY-ID BASE64-KEY'");
            try { material = Convert.FromBase64String(fields[1]); }
            catch (FormatException) { }
            if (material is not { Length: KeyBytes })
                throw new FormatException($"{path}:{number}: the key of '{fields[0]}' is not 32 bytes in base64");
            if (!seen.Add(fields[0])) throw new FormatException($"{path}:{number}: key id '{fields[0]}' is listed twice");
            keys.Add(new KmsKey(fields[0], material));
        }
        if (keys.Count == 0) throw new FormatException($"{path}: no keys");
        return keys;
    }

    /// <summary>A fresh data key and its SSE-S3 wrapping.</summary>
    public (byte[] DataKey, string Wrapped) NewS3Key()
    {
        byte[] dataKey = RandomNumberGenerator.GetBytes(KeyBytes);
        return (dataKey, Wrap(Master(), dataKey, "sluice-sse-s3"u8));
    }

    public byte[] UnwrapS3(string wrapped) => Unwrap(Master(), wrapped, "sluice-sse-s3"u8);

    /// <summary>A fresh data key and its wrapping under <paramref name="key"/>, bound to the encryption context.</summary>
    public static (byte[] DataKey, string Wrapped) NewKmsKey(KmsKey key, string? context)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] dataKey = RandomNumberGenerator.GetBytes(KeyBytes);
        return (dataKey, Wrap(key.Material, dataKey, KmsBinding(key, context)));
    }

    public static byte[] UnwrapKms(KmsKey key, string wrapped, string? context)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Unwrap(key.Material, wrapped, KmsBinding(key, context));
    }

    private static byte[] KmsBinding(KmsKey key, string? context) =>
        Encoding.UTF8.GetBytes("sluice-sse-kms\n" + key.Id + "\n" + context);

    private static string Wrap(byte[] wrappingKey, byte[] dataKey, ReadOnlySpan<byte> binding)
    {
        var wrapped = new byte[NonceBytes + KeyBytes + TagBytes];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceBytes));
        using var gcm = new AesGcm(wrappingKey, TagBytes);
        gcm.Encrypt(wrapped.AsSpan(0, NonceBytes), dataKey, wrapped.AsSpan(NonceBytes, KeyBytes),
            wrapped.AsSpan(NonceBytes + KeyBytes), binding);
        return Convert.ToBase64String(wrapped);
    }

    private static byte[] Unwrap(byte[] wrappingKey, string wrappedBase64, ReadOnlySpan<byte> binding)
    {
        byte[] wrapped = Convert.FromBase64String(wrappedBase64);
        if (wrapped.Length != NonceBytes + KeyBytes + TagBytes) throw new CryptographicException("a wrapped key of the wrong length");
        var dataKey = new byte[KeyBytes];
        using var gcm = new AesGcm(wrappingKey, TagBytes);
        gcm.Decrypt(wrapped.AsSpan(0, NonceBytes), wrapped.AsSpan(NonceBytes, KeyBytes), wrapped.AsSpan(NonceBytes + KeyBytes),
            dataKey, binding);
        return dataKey;
    }

    /// <summary>The master key: read from the data directory, or created there (0600, fsynced, then the directory) on first use.</summary>
    private byte[] Master()
    {
        var master = Volatile.Read(ref _master);
        if (master != null) return master;
        lock (_gate)
        {
            if (_master != null) return _master;
            _master = _directory == null ? RandomNumberGenerator.GetBytes(KeyBytes) : LoadOrCreate(_directory);
            return _master;
        }
    }

    private static byte[] LoadOrCreate(string directory)
    {
        string path = Path.Combine(directory, MasterKeyFileName);
        if (File.Exists(path))
        {
            byte[] existing = File.ReadAllBytes(path);
            if (existing.Length != KeyBytes) throw new IOException($"{path}: not a 32-byte master key");
            return existing;
        }
        byte[] key = RandomNumberGenerator.GetBytes(KeyBytes);
        string temp = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, options))
        {
            file.Write(key);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path);
        Index.DirectorySync.Flush(directory);
        return key;
    }
}

/// <summary>One SSE-KMS key of the key file: its id (or ARN, or alias) and 256-bit key.</summary>
public sealed record KmsKey(string Id, byte[] Material);
