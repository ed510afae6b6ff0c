using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Bench;

/// <summary>
/// --save-ops FILE: every request of a run, for `sluice bench analyze` (warp's --benchdata, as plain CSV). Line 1 names
/// the format, line 2 is the run's report as one line of JSON after "# " (configuration, jobs, warm-ups, resource
/// figures), then a CSV header and one row per request (<see cref="OpRecord.CsvHeader"/>), the job column indexing
/// the report's results. A name ending in .gz is gzip-compressed.
/// </summary>
public static class OpsFile
{
    /// <summary>The first line.</summary>
    public const string Magic = "# sluice-bench-ops/1";

    /// <summary>Writes the report and the records of each job (<paramref name="records"/>[i] belongs to result i).</summary>
    public static void Save(string path, BenchReport report, IReadOnlyList<IReadOnlyList<OpRecord>> records)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(records);
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        text.WriteLine(Magic);
        text.Write("# ");
        text.Flush();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
            JsonSerializer.Serialize(json, report, BenchJsonContext.Default.BenchReport);
        text.WriteLine();
        text.WriteLine(OpRecord.CsvHeader);
        var line = new StringBuilder(96);
        for (int job = 0; job < records.Count; job++)
        {
            foreach (var r in records[job])
            {
                line.Clear();
                r.AppendCsv(line, job);
                text.WriteLine(line);
            }
        }
    }

    /// <summary>Reads a file written by <see cref="Save"/>: the report and each job's records.</summary>
    /// <exception cref="InvalidDataException">The file is not an ops file, or a row is damaged (named by line).</exception>
    public static (BenchReport Report, List<OpRecord>[] Records) Load(string path)
    {
        using var file = File.OpenRead(path);
        bool gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        if (reader.ReadLine() != Magic) throw new InvalidDataException($"{path}: not a sluice bench ops file (written by --save-ops)");
        string? header = reader.ReadLine();
        BenchReport? report;
        try
        {
            report = header is not null && header.StartsWith("# ", StringComparison.Ordinal)
                ? JsonSerializer.Deserialize(header.AsSpan(2), BenchJsonContext.Default.BenchReport) : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: line 2: the run's description is damaged ({e.Message})", e);
        }
        if (report is null || report.Format != BenchReport.FormatName) throw new InvalidDataException($"{path}: line 2: not a sluice bench report");
        if (reader.ReadLine() != OpRecord.CsvHeader) throw new InvalidDataException($"{path}: line 3: not the ops header");
        var records = report.Results.Select(_ => new List<OpRecord>()).ToArray();
        long number = 3;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (!OpRecord.TryParseCsv(line, out int job, out var record) || job >= records.Length)
                throw new InvalidDataException($"{path}: line {number}: not an operation record");
            records[job].Add(record);
        }
        return (report, records);
    }
}
