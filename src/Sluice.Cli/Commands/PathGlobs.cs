using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// --include/--exclude as users of S3 tools expect them: a glob without '/' matches a name at any depth (as in
/// .gitignore, so <c>--exclude '*.tmp'</c> skips every .tmp file); a glob with '/' is anchored at the top of the
/// copied directory or prefix. Malformed globs are usage errors.
/// </summary>
internal static class PathGlobs
{
    public static GlobFilter Create(string verb, string[]? include, string[]? exclude)
    {
        try
        {
            return new GlobFilter(include?.Select(Anchor), exclude?.Select(Anchor));
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{verb}: {e.Message}", Program.ExitUsage);
        }
    }

    private static string Anchor(string glob) => glob.Contains('/', StringComparison.Ordinal) ? glob : "**/" + glob;
}
