using Sluice.Cli.Bench;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// The bounds of the transfer options cp and sync take (--part-size, --memory, --concurrency, --parallel), checked
/// before any engine exists so a bad value is one usage line, not the engine's ArgumentOutOfRangeException.
/// </summary>
internal static class TransferLimits
{
    /// <summary>
    /// The largest part: S3 allows 5 GiB, but a part is read and sent from one buffer, and a buffer's length is an
    /// int rounded up to a page: 2047 MiB is the largest whole number of MiB that fits.
    /// </summary>
    public const long MaximumPartSize = 2047L << 20;

    /// <summary>Parts or files in flight at most: more only adds connections and memory, never speed.</summary>
    public const int MaximumConcurrency = 4096;

    /// <summary>Parses a size option; null when not given.</summary>
    public static long? Size(string verb, string option, string? text)
    {
        if (text is null) return null;
        return Units.TryParseSize(text, out long bytes) && bytes > 0 ? bytes
            : throw Usage($"{verb}: {option}: '{text}' is not a size such as 8MiB");
    }

    /// <summary>Checks a concurrency-like count (null: not given).</summary>
    public static int? Count(string verb, string option, int? value) =>
        value is < 1 or > MaximumConcurrency ? throw Usage($"{verb}: {option} must be from 1 to {MaximumConcurrency}") : value;

    /// <summary>Checks what the engine would refuse, or fail on at its first part, and says it as a usage error.</summary>
    public static TransferOptions Check(string verb, TransferOptions options, bool partSizeGiven)
    {
        if (options.PartSize is < PartPlanner.MinimumPartSize or > MaximumPartSize)
            throw Usage($"{verb}: --part-size must be from {PartPlanner.MinimumPartSize >> 20}MiB to {MaximumPartSize >> 20}MiB");
        long part = options.PartSize ?? PartPlanner.DefaultPartSize;
        if (options.MemoryBudget < part)
        {
            throw Usage(partSizeGiven
                ? $"{verb}: --memory ({Units.FormatSize(options.MemoryBudget)}) must hold at least one part of --part-size ({Units.FormatSize(part)})"
                : $"{verb}: --memory must be at least {Units.FormatSize(part)} (one part)");
        }
        return options;
    }

    private static CliException Usage(string message) => new(message, Program.ExitUsage);
}
