using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.S3.Xml;

namespace Sluice.Cli.Commands;

/// <summary>
/// A key pattern in an s3:// source, as s5cmd takes them: <c>*</c> any run of characters (crossing '/'), <c>?</c> any
/// one. The longest literal prefix is listed and the rest matched, so <c>s3://b/logs/2024-*.gz</c> lists only
/// <c>logs/2024-</c>. A matched key keeps its path below the prefix's last '/' (s5cmd's layout without --flatten).
/// </summary>
internal sealed class S3Wildcard
{
    private readonly Regex _pattern;

    private S3Wildcard(string key)
    {
        int first = key.IndexOfAny(['*', '?']);
        Prefix = key[..first];
        var regex = new StringBuilder("^");
        foreach (char c in key)
        {
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        _pattern = new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>The literal part before the first wildcard: what is listed.</summary>
    public string Prefix { get; }

    /// <summary>Where a match's relative path starts: after the literal prefix's last '/'.</summary>
    public int RelativeStart => Prefix.LastIndexOf('/') + 1;

    /// <summary>The pattern in <paramref name="path"/>'s key, or null when it has none (or <paramref name="raw"/> asks keys be taken as written).</summary>
    public static S3Wildcard? Of(S3Path path, bool raw) =>
        path.IsS3 && !raw && path.Key.AsSpan().IndexOfAny('*', '?') >= 0 ? new S3Wildcard(path.Key) : null;

    public bool IsMatch(string key) => _pattern.IsMatch(key);

    /// <summary>The part of a matched key kept below the destination.</summary>
    public string Relative(string key) => key[RelativeStart..];

    /// <summary>Every object whose key matches, in listing order.</summary>
    public async IAsyncEnumerable<ListedObject> ListAsync(S3Client client, string bucket, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var o in client.ListObjectsV2Async(new ListObjectsRequest(bucket) { Prefix = Prefix.Length > 0 ? Prefix : null }, cancellationToken))
            if (IsMatch(o.Key)) yield return o;
    }

    /// <summary>The one line for a pattern that matched nothing (the command then exits 1, as s5cmd does).</summary>
    public static CliException NoMatch(string verb, S3Path source) => new($"{verb}: no object matches {source}");
}
