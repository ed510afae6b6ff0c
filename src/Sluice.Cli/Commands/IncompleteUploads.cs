using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using Sluice.Cli.Bench;
using Sluice.Client;
using Sluice.S3.Xml;

namespace Sluice.Cli.Commands;

/// <summary>
/// Multipart uploads in progress under a prefix, for <c>mpu ls</c>, <c>mpu abort --all</c> and <c>ls --incomplete</c>:
/// paged through ListMultipartUploads with the key and upload-id markers (two uploads of one key may straddle a page),
/// optionally only those initiated before an age (<c>--older-than 7d</c>).
/// </summary>
internal static class IncompleteUploads
{
    /// <summary>--older-than, shared by the commands that list uploads.</summary>
    public static Option<string> OlderThanOption() => new("--older-than")
    {
        Description = "Only uploads initiated at least this long ago: a duration (s, m, h, d, w, M, y) such as 7d, or a date such as 2026-01-31",
    };

    /// <summary>The moment --older-than names (null: not given); a usage error when it does not parse.</summary>
    public static DateTimeOffset? Cutoff(string verb, string? text)
    {
        if (text is null) return null;
        return Units.TryParseAge(text, DateTimeOffset.UtcNow, out var at) ? at
            : throw new CliException($"{verb}: --older-than: '{text}' is not a duration such as 12h or 7d, nor a date such as 2026-01-31", Program.ExitUsage);
    }

    /// <summary>Every upload under <paramref name="prefix"/> initiated before <paramref name="olderThan"/> (all when null).</summary>
    public static async IAsyncEnumerable<ListedUpload> ListAsync(S3Client client, string bucket, string prefix, DateTimeOffset? olderThan,
        int? pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? keyMarker = null, uploadMarker = null;
        while (true)
        {
            var page = await client.ListMultipartUploadsPageAsync(bucket, prefix.Length > 0 ? prefix : null, keyMarker, uploadMarker,
                null, pageSize, cancellationToken);
            foreach (var upload in page.Uploads)
                if (olderThan is not { } cutoff || upload.Initiated <= cutoff) yield return upload;
            if (!page.IsTruncated) yield break;
            // A truncated page without a marker to go on, or one that does not advance, would loop forever.
            if (page.NextKeyMarker is null || (page.NextKeyMarker == keyMarker && page.NextUploadIdMarker == uploadMarker))
                throw new CliException($"ListMultipartUploads of s3://{bucket}/{prefix} answered a truncated page without a next marker");
            keyMarker = page.NextKeyMarker;
            uploadMarker = page.NextUploadIdMarker;
        }
    }

    /// <summary>One upload as a line: initiated (UTC), upload id, key (last: it may hold spaces).</summary>
    public static string Line(ListedUpload upload) =>
        $"{upload.Initiated.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} {upload.UploadId} {upload.Key}";
}
