using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Cli.Bench;

/// <summary>A whole `sluice bench` run: configuration and one result per workload and size (the --json file).</summary>
public sealed record BenchReport
{
    /// <summary>Format marker, checked when reading a report back.</summary>
    public const string FormatName = "sluice-bench/1";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Sluice's version.</summary>
    public required string Version { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>What was run.</summary>
    public required BenchConfig Config { get; init; }

    /// <summary>What was measured.</summary>
    public required IReadOnlyList<WorkloadResult> Results { get; init; }

    /// <summary>Writes the report as indented JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, BenchJsonContext.Default.BenchReport));

    /// <summary>Reads a report written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a sluice bench report.</exception>
    public static BenchReport Load(string path)
    {
        BenchReport? report;
        try
        {
            report = JsonSerializer.Deserialize(File.ReadAllText(path), BenchJsonContext.Default.BenchReport);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a sluice bench report ({e.Message})", e);
        }
        if (report is null || report.Format != FormatName)
            throw new InvalidDataException($"{path}: not a sluice bench report (format '{report?.Format}')");
        return report;
    }
}

/// <summary>Source-generated JSON for the report types (no reflection at run time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(AgentMessage))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
}
