using System.Buffers;
using BenchmarkDotNet.Attributes;
using Sluice.S3.Xml;

namespace Sluice.Benchmarks;

/// <summary>A full ListObjectsV2 page (1000 keys): write it, and read it back.</summary>
[MemoryDiagnoser]
public class XmlBenchmarks
{
    private const int Keys = 1000;

    private readonly ListBucketResult _page = new() { Name = "bench-bucket", Prefix = "data/2024/", MaxKeys = Keys, IsTruncated = true, NextContinuationToken = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" };
    private readonly ArrayBufferWriter<byte> _buffer = new(256 * 1024);
    private byte[] _xml = [];

    [Params(null, "url")]
    public string? EncodingType { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _page.EncodingType = EncodingType;
        var time = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < Keys; i++)
        {
            _page.Contents.Add(new ListedObject
            {
                // Realistic keys: a shared prefix, a space and an ampersand now and then, some non-ASCII.
                Key = i % 10 == 0 ? $"data/2024/report & summary {i:D5} é.parquet" : $"data/2024/part-{i:D5}-c000.snappy.parquet",
                LastModified = time.AddSeconds(i),
                ETag = "\"fba9dede5f27731c9771645a39863328\"",
                Size = 134_217_728L + i,
                StorageClass = "STANDARD",
            });
        }

        _buffer.ResetWrittenCount();
        _page.WriteTo(_buffer);
        _xml = _buffer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int Write()
    {
        _buffer.ResetWrittenCount();
        _page.WriteTo(_buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Read() => ListBucketResult.Read(_xml).Value!.Contents.Count;
}
