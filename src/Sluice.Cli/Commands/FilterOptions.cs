using System.CommandLine;
using System.CommandLine.Parsing;
using Sluice.Cli.Bench;
using Sluice.Cli.Output;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// The filters of cp, sync and rm. --exclude/--include work exactly as <c>aws s3</c> applies them: every path under the
/// source is taken unless a filter says otherwise; the filters apply in the order given on the command line, each one
/// that matches deciding anew, so the last match wins (<c>--exclude '*' --include '*.jpg'</c>: only .jpg files, at any
/// depth); a pattern is matched against the whole path relative to the source directory or prefix, with <c>*</c>
/// crossing '/' (<c>--exclude 'dir/*'</c> skips everything under dir/), <c>?</c> any one character and <c>[seq]</c> /
/// <c>[!seq]</c> a class. --min-size/--max-size and --min-age/--max-age bound sizes and ages as rclone's do.
/// --filter-from reads rclone's rule files (<see cref="RcloneFilterRules"/>: first match wins — rclone's order, not
/// aws's, so it does not mix with --exclude/--include); --files-from names exactly the paths to take (rclone's, which
/// ignores every other filter when given: here they are refused instead).
/// </summary>
internal sealed class FilterOptions
{
    public FilterOptions(string noun)
    {
        Exclude = new Option<string[]>("--exclude")
        {
            Description = $"Skip {noun} matching this pattern, relative to the source (as aws s3: * crosses /; repeatable)",
        };
        Include = new Option<string[]>("--include")
        {
            Description = $"Take {noun} matching this pattern back after an --exclude (as aws s3: in order, the last match wins; repeatable)",
        };
        MinSize = new Option<string>("--min-size") { Description = $"Only {noun} of at least this size, e.g. 100k or 1MiB" };
        MaxSize = new Option<string>("--max-size") { Description = $"Only {noun} of at most this size" };
        MinAge = new Option<string>("--min-age")
        {
            Description = $"Only {noun} at least this old: a duration (s, m, h, d, w, M, y; seconds without a unit) or a date such as 2026-01-31",
        };
        MaxAge = new Option<string>("--max-age") { Description = $"Only {noun} at most this old (as --min-age)" };
        FilterFrom = new Option<string>("--filter-from")
        {
            Description = "Read rclone filter rules from a file ('+ pattern', '- pattern', '!' clears; '#' or ';' comments): " +
                "the first rule that matches a path decides, as in rclone; not with --exclude/--include",
        };
        FilesFrom = new Option<string>(FilesFromName)
        {
            Description = $"Take exactly the {noun} listed in a file, one per line relative to the source ('#' or ';' comments; - reads stdin); " +
                "a listed path that does not exist is reported and the command fails after the rest",
        };
    }

    public Option<string[]> Exclude { get; }
    public Option<string[]> Include { get; }
    public Option<string> MinSize { get; }
    public Option<string> MaxSize { get; }
    public Option<string> MinAge { get; }
    public Option<string> MaxAge { get; }
    public Option<string> FilterFrom { get; }
    public Option<string> FilesFrom { get; }

    private Option[] All => [Exclude, Include, MinSize, MaxSize, MinAge, MaxAge, FilterFrom, FilesFrom];

    /// <summary>Adds the options to <paramref name="command"/>, with a usage error for a size or age that does not parse.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Option option in All) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            foreach (var size in new[] { MinSize, MaxSize })
                if (result.GetValue(size) is { } text && (!Units.TryParseSize(text, out long bytes) || bytes < 0))
                    result.AddError($"{size.Name}: '{text}' is not a size such as 100k or 1MiB");
            foreach (var age in new[] { MinAge, MaxAge })
                if (result.GetValue(age) is { } text && !Units.TryParseAge(text, DateTimeOffset.UtcNow, out _))
                    result.AddError($"{age.Name}: '{text}' is not a duration such as 90s, 12h or 7d, nor a date such as 2026-01-31");
        });
    }

    /// <summary>
    /// Refuses filters on a one-object command (a usage error): they select among the paths of a --recursive one, and
    /// a single copy or delete that ignored them would do what was not asked.
    /// </summary>
    public void RefuseWithout(ParseResult parse, string verb)
    {
        ArgumentNullException.ThrowIfNull(parse);
        foreach (Option option in All)
            if (parse.GetResult(option) != null)
                throw new CliException($"{verb}: {option.Name} selects among the objects of --recursive; give -r", Program.ExitUsage);
    }

    /// <summary>
    /// The paths --files-from lists (normalized as rclone does: trimmed, no leading or trailing '/', no comments, no
    /// duplicates, in file order), or null without it.
    /// </summary>
    public IReadOnlyList<string>? ListedPaths(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetValue(FilesFrom) is not { } file) return null;
        return _listed ??= ReadListed(file); // read once: "-" is stdin
    }

    private IReadOnlyList<string>? _listed;

    private List<string> ReadListed(string file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (string raw in ReadLines(file, FilesFrom.Name))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            line = line.Trim('/');
            if (line.Length > 0 && seen.Add(line)) paths.Add(line);
        }
        return paths;
    }

    /// <summary>
    /// Reports each --files-from path not in <paramref name="found"/> (relative paths the source holds) as an error of
    /// <paramref name="output"/> naming where it was looked for ("sluice: --files-from: WHERE: not found"); returns how many.
    /// </summary>
    public static int ReportMissing(CommandOutput output, IReadOnlyList<string>? listed, IEnumerable<string> found, Func<string, string> location)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(location);
        if (listed is null) return 0;
        var present = found as IReadOnlySet<string> ?? found.ToHashSet(StringComparer.Ordinal);
        int missing = 0;
        foreach (string path in listed)
        {
            if (present.Contains(path)) continue;
            missing++;
            string where = location(path);
            output.Error($"{FilesFromName}: {where}: not found", where);
        }
        return missing;
    }

    private const string FilesFromName = "--files-from";

    /// <summary>The filter the command line asks for (everything when it asks nothing).</summary>
    public GlobFilter Create(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (ListedPaths(parse) is { } listed)
        {
            foreach (Option option in All)
                if (option != FilesFrom && parse.GetResult(option) != null)
                    throw new CliException($"{FilesFrom.Name} names exactly what to take: it does not combine with {option.Name}", Program.ExitUsage);
            return GlobFilter.Exactly(listed);
        }
        var rules = new List<(bool Include, string Pattern)>();
        // The two options' values in command-line order (System.CommandLine keeps each option's values apart).
        var tokens = parse.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Type != TokenType.Option) continue;
            bool isInclude = Names(Include, token), isExclude = !isInclude && Names(Exclude, token);
            if ((isInclude || isExclude) && i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument)
                rules.Add((isInclude, tokens[++i].Value));
        }
        GlobFilter filter;
        if (parse.GetValue(FilterFrom) is { } rulesFile)
        {
            if (rules.Count > 0)
                throw new CliException($"{FilterFrom.Name} (rclone's rules, first match wins) does not mix with --exclude/--include (aws's, last match wins)",
                    Program.ExitUsage);
            try
            {
                filter = GlobFilter.Rclone(RcloneFilterRules.Parse(ReadLines(rulesFile, FilterFrom.Name)));
            }
            catch (FormatException e)
            {
                throw new CliException($"{FilterFrom.Name}: {rulesFile}: {e.Message}", Program.ExitUsage);
            }
        }
        else filter = rules.Count == 0 ? GlobFilter.All : GlobFilter.Ordered(rules);
        var now = DateTimeOffset.UtcNow;
        long? minSize = Size(parse.GetValue(MinSize)), maxSize = Size(parse.GetValue(MaxSize));
        DateTimeOffset? youngest = Age(parse.GetValue(MinAge), now), oldest = Age(parse.GetValue(MaxAge), now);
        return minSize == null && maxSize == null && youngest == null && oldest == null
            ? filter
            : filter.WithBounds(minSize, maxSize, notBefore: oldest, notAfter: youngest);
    }

    // A list file is read whole before anything is transferred: one that cannot be read is bad input, not a failure midway.
    private static string[] ReadLines(string path, string option)
    {
        try
        {
            return path == "-" ? Console.In.ReadToEnd().Split('\n') : File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{option}: {path}: {e.Message}", Program.ExitUsage);
        }
    }

    private static bool Names(Option option, Token token) => token.Value == option.Name || option.Aliases.Contains(token.Value);

    private static long? Size(string? text) => text != null && Units.TryParseSize(text, out long bytes) ? bytes : null;

    private static DateTimeOffset? Age(string? text, DateTimeOffset now) => text != null && Units.TryParseAge(text, now, out var at) ? at : null;
}
