using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// The one stderr line for downloaded bytes nothing could check (no stored checksum, no usable MD5 ETag), said once per
/// command, even with --quiet: cp and sync alike.
/// </summary>
internal static class UnverifiedDownloads
{
    /// <summary>The warning ("warning: ...", for <see cref="Output.CommandOutput.Warning"/>) for <paramref name="results"/>, or null when every download was verified.</summary>
    public static string? Warning(IReadOnlyCollection<TransferResult> results)
    {
        var unverified = results.Where(r => !r.ChecksumVerified).ToList();
        if (unverified.Count == 0) return null;
        return $"warning: {(results.Count == 1 ? "" : $"{unverified.Count} of {results.Count} objects, e.g. ")}" +
            $"s3://{unverified[0].Bucket}/{unverified[0].Key} could not be verified: {unverified[0].UnverifiedReason}";
    }
}
