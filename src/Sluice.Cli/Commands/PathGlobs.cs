using System.CommandLine;
using System.CommandLine.Parsing;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// --exclude/--include exactly as <c>aws s3</c> applies them: every path under the source is taken unless a filter
/// says otherwise; the filters apply in the order given on the command line, each one that matches deciding anew, so
/// the last match wins (<c>--exclude '*' --include '*.jpg'</c>: only .jpg files, at any depth); a pattern is matched
/// against the whole path relative to the source directory or prefix, with <c>*</c> crossing '/' (<c>--exclude
/// 'dir/*'</c> skips everything under dir/), <c>?</c> any one character and <c>[seq]</c> / <c>[!seq]</c> a class.
/// </summary>
internal static class PathGlobs
{
    public static GlobFilter Create(ParseResult parse, Option<string[]> include, Option<string[]> exclude)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var rules = new List<(bool Include, string Pattern)>();
        // The two options' values in command-line order (System.CommandLine keeps each option's values apart).
        var tokens = parse.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Type != TokenType.Option) continue;
            bool isInclude = IsToken(token, include), isExclude = !isInclude && IsToken(token, exclude);
            if ((isInclude || isExclude) && i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument)
                rules.Add((isInclude, tokens[++i].Value));
        }
        return rules.Count == 0 ? GlobFilter.All : GlobFilter.Ordered(rules);
    }

    private static bool IsToken(Token token, Option option) =>
        token.Value == option.Name || option.Aliases.Contains(token.Value);
}
