using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Sluice.S3.Checksums;

namespace Sluice.Benchmarks;

/// <summary>
/// Throughput of every S3 checksum on one core: 1 MiB (bulk) and 4 KiB (small-object cost).
/// Run: dotnet run -c Release --project bench/Sluice.Benchmarks -- --filter '*ChecksumBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class ChecksumBenchmarks
{
    private readonly byte[] _hash = new byte[32];
    private byte[] _data = [];
    private Md5Digest _md5 = null!;
    private Sha1Digest _sha1 = null!;
    private Sha256Digest _sha256 = null!;
    private S3Checksum _s3Checksum = null!;
    private readonly byte[] _expected = "AAAAAA=="u8.ToArray();

    [Params(4096, 1 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(42).NextBytes(_data);
        _md5 = new Md5Digest();
        _sha1 = new Sha1Digest();
        _sha256 = new Sha256Digest();
        _s3Checksum = new S3Checksum(ChecksumAlgorithm.Crc32C);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _md5.Dispose();
        _sha1.Dispose();
        _sha256.Dispose();
        _s3Checksum.Dispose();
    }

    [Benchmark]
    [AllocationFree]
    public uint Crc32() => S3.Checksums.Crc32.HashToUInt32(_data);

    [Benchmark]
    [AllocationFree]
    public uint Crc32C() => S3.Checksums.Crc32C.HashToUInt32(_data);

    [Benchmark]
    [AllocationFree]
    public ulong Crc64Nvme() => S3.Checksums.Crc64Nvme.HashToUInt64(_data);

    [Benchmark]
    public uint Crc32CTable() => (uint)CrcEngine.Crc32C.Update(uint.MaxValue, _data, CrcKernel.Table);

    /// <summary>A request's checksum as the server checks it: append, compare with the header value, reset for the next.</summary>
    [Benchmark]
    [AllocationFree]
    public bool S3ChecksumCrc32C()
    {
        _s3Checksum.Append(_data);
        bool matches = _s3Checksum.Matches(_expected);
        _s3Checksum.Reset();
        return matches;
    }

    [Benchmark]
    [AllocationFree]
    public int Md5()
    {
        _md5.Append(_data);
        return _md5.GetHashAndReset(_hash);
    }

    [Benchmark]
    [AllocationFree]
    public int Sha1()
    {
        _sha1.Append(_data);
        return _sha1.GetHashAndReset(_hash);
    }

    [Benchmark]
    [AllocationFree]
    public int Sha256()
    {
        _sha256.Append(_data);
        return _sha256.GetHashAndReset(_hash);
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new GibPerSecondColumn("Throughput: Size bytes / Mean, in GiB per second",
            c => c.Parameters["Size"] is int size ? size : null));
    }
}
