using System.Globalization;
using Sluice.Cli.Output;
using Sluice.Client;
using Sluice.Client.Retry;

namespace Sluice.Cli.Commands;

/// <summary>
/// Puts throttling into a transfer command's summary when it happened (nothing otherwise): how many throttling answers
/// (503 SlowDown and the like) came back and how many were retried, and the slowest prefix's rate — so a user sees
/// why a copy was slow and which key prefix S3 held back. Disposed when the command's client scope ends.
/// </summary>
internal sealed class ThrottleSummary(S3Client client, CommandOutput output) : IDisposable
{
    public void Dispose() => Report(client.Throttling, output);

    public static void Report(ThrottlingReport report, CommandOutput output)
    {
        if (report.ThrottledResponses == 0) return;
        output.Count("throttled", report.ThrottledResponses,
            $"{report.ThrottledResponses} throttled ({report.ThrottledRetries} retried)");
        if (report.Prefixes.Count > 0)
        {
            PrefixRateSnapshot slowest = report.Prefixes[0];
            long rate = (long)Math.Round(slowest.Rate);
            output.Count("slowestPrefixRate", rate,
                $"s3://{slowest.Prefix} at {rate.ToString(CultureInfo.InvariantCulture)} req/s");
        }
    }
}
