using System.Text.Json;
using Sluice.S3.Checksums;

namespace Sluice.Client.Transfer;

/// <summary>
/// The sidecar of an interrupted download (<c>&lt;dst&gt;.sluice-part.json</c> next to <c>&lt;dst&gt;.sluice-part</c>):
/// which object (bucket, key, ETag, size), how it was cut (part size) and the CRC of every part already written.
/// A resume continues only when the object's ETag and size still match, and re-checks each recorded part's CRC
/// against the bytes in the partial file, so neither a changed object nor a damaged partial file slips through.
/// </summary>
public sealed class DownloadState
{
    private const int FormatVersion = 1;

    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public required string ETag { get; init; }
    public required long Size { get; init; }
    public required long PartSize { get; init; }
    public required ChecksumAlgorithm Algorithm { get; init; }

    /// <summary>Completed parts (0-based index → CRC of the part's bytes).</summary>
    public Dictionary<int, ulong> Parts { get; init; } = [];

    public static string PartialPath(string destination) => destination + ".sluice-part";
    public static string SidecarPath(string destination) => destination + ".sluice-part.json";

    /// <summary>Writes the state atomically (temp file, fsync, rename) so a crash leaves the old state or the new.</summary>
    public void Save(string path)
    {
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("version", FormatVersion);
                json.WriteString("bucket", Bucket);
                json.WriteString("key", Key);
                json.WriteString("etag", ETag);
                json.WriteNumber("size", Size);
                json.WriteNumber("partSize", PartSize);
                json.WriteString("algorithm", Algorithm.GetS3Name());
                json.WriteStartObject("parts");
                foreach (var (index, crc) in Parts.OrderBy(p => p.Key))
                    json.WriteNumber(index.ToString(System.Globalization.CultureInfo.InvariantCulture), crc);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a sidecar; null when there is none. A sidecar that cannot be parsed is an <see cref="InvalidDataException"/>.</summary>
    public static DownloadState? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.GetProperty("version").GetInt32() != FormatVersion)
                throw new InvalidDataException($"{path}: unknown download state version");
            string algorithmName = root.GetProperty("algorithm").GetString() ?? "";
            if (!ChecksumAlgorithmExtensions.TryParse(algorithmName.AsSpan(), out var algorithm))
                throw new InvalidDataException($"{path}: unknown checksum algorithm '{algorithmName}'");
            var parts = new Dictionary<int, ulong>();
            foreach (var p in root.GetProperty("parts").EnumerateObject())
                parts[int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture)] = p.Value.GetUInt64();
            return new DownloadState
            {
                Bucket = root.GetProperty("bucket").GetString()!,
                Key = root.GetProperty("key").GetString()!,
                ETag = root.GetProperty("etag").GetString()!,
                Size = root.GetProperty("size").GetInt64(),
                PartSize = root.GetProperty("partSize").GetInt64(),
                Algorithm = algorithm,
                Parts = parts,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: damaged download state ({e.Message})", e);
        }
    }
}
