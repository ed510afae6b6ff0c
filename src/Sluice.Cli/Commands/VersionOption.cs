using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>
/// Which version of one source object cp, cat and stat read: <c>--version-id ID</c> (as s5cmd), or the shorthand
/// <c>s3://bucket/key?versionId=ID</c> (the query S3 itself names a version with). The suffix is read only when
/// --version-id is not given (and, for cp, without --raw), so a key that really contains "?versionId=" stays reachable.
/// </summary>
internal sealed class VersionOption
{
    private const string Suffix = "?versionId=";

    private readonly Option<string> _option = new("--version-id")
    {
        Description = "Read this version of the source object (shorthand: s3://bucket/key?versionId=ID)",
        HelpName = "ID",
    };

    public void AddTo(Command command) => command.Options.Add(_option);

    /// <summary>
    /// The version asked for and the path without its suffix. A suffix on an s3:// path is split off even where it is
    /// then refused (<see cref="RefuseOn"/>), so that it is never taken as part of a key, or as a pattern's '?'.
    /// </summary>
    public (S3Path Path, string? VersionId) Read(ParseResult parse, string verb, S3Path path, bool literal = false)
    {
        string? given = parse.GetValue(_option);
        if (given is { Length: 0 }) throw new CliException($"{verb}: --version-id needs a version id", Program.ExitUsage);
        if (given != null || literal || !path.IsS3) return (path, given);
        int at = path.Key.LastIndexOf(Suffix, StringComparison.Ordinal);
        if (at < 0) return (path, null);
        string id = path.Key[(at + Suffix.Length)..];
        if (id.Length == 0) throw new CliException($"{verb}: {path} names no version id after '{Suffix}'", Program.ExitUsage);
        return (path with { Key = path.Key[..at] }, id);
    }

    /// <summary>A usage error when a destination path carries the suffix: a version is read, never written.</summary>
    public static void RefuseOn(string verb, S3Path destination)
    {
        if (destination.IsS3 && destination.Key.Contains(Suffix, StringComparison.Ordinal))
            throw new CliException($"{verb}: a version id names a source object, not the destination {destination}", Program.ExitUsage);
    }
}
