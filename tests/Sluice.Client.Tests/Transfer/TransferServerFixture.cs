using System.Net;
using System.Security.Cryptography;
using System.Text;
using Sluice.Client.Transfer;
using Sluice.Server;

namespace Sluice.Client.Tests.Transfer;

/// <summary>
/// One embedded Sluice server over loopback (real sockets, real files) and one S3Client for a test class; every
/// test makes its own bucket and scratch directory.
/// </summary>
public sealed class TransferServerFixture : IAsyncLifetime
{
    private int _buckets;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("sluice-transfer-data-").FullName;
    public string Scratch { get; } = Directory.CreateTempSubdirectory("sluice-transfer-files-").FullName;
    public SluiceServer Server { get; private set; } = null!;
    public S3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = DataDirectory,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
        });
        Client = new S3Client(new S3ClientOptions
        {
            Endpoint = Server.Endpoint,
            AccessKeyId = SluiceServerOptions.DevAccessKey,
            SecretAccessKey = SluiceServerOptions.DevSecretKey,
        });
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(DataDirectory, true);
        Directory.Delete(Scratch, true);
    }

    public async Task<string> NewBucketAsync()
    {
        string bucket = "transfer-" + Interlocked.Increment(ref _buckets);
        await Client.CreateBucketAsync(bucket);
        return bucket;
    }

    public string NewDirectory() => Directory.CreateDirectory(Path.Combine(Scratch, Guid.NewGuid().ToString("N"))).FullName;

    public TransferEngine Engine(TransferOptions? options = null) => new(Client, options ?? SmallParts());

    /// <summary>5 MiB parts (S3's minimum) keep the tests' objects multi-part yet small.</summary>
    public static TransferOptions SmallParts(long budget = 64L << 20) => new()
    {
        PartSize = 5L << 20,
        MultipartThreshold = 5L << 20,
        MemoryBudget = budget,
        ProgressInterval = TimeSpan.Zero,
    };

    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public string WriteFile(byte[] data, string? name = null)
    {
        string path = Path.Combine(NewDirectory(), name ?? "source.bin");
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>The file the server keeps an object's header and body in (see docs/server.md, object store layout).</summary>
    public string ObjectFile(string bucket, string key)
    {
        string name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Combine(DataDirectory, bucket, name[..2], name[2..4], name);
    }

    /// <summary>
    /// Flips one byte of a stored object's body, <paramref name="fromEnd"/> bytes before its end: in its file, or for a
    /// multipart object (a manifest naming its part files, docs/server.md) in its last part file.
    /// </summary>
    public void CorruptStoredObject(string bucket, string key, long fromEnd)
    {
        string file = ObjectFile(bucket, key);
        string parts = Path.Combine(DataDirectory, bucket, ".parts");
        string? partsDir = Directory.Exists(parts)
            ? Directory.GetDirectories(parts, Path.GetFileName(file) + ".*").SingleOrDefault()
            : null;
        if (partsDir is not null) file = Directory.GetFiles(partsDir, "part-*").Order(StringComparer.Ordinal).Last();
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        f.Position = f.Length - fromEnd;
        int b = f.ReadByte();
        f.Position = f.Length - fromEnd;
        f.WriteByte((byte)(b ^ 0x5A));
    }
}
