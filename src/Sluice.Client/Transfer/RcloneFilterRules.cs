using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Client.Transfer;

/// <summary>
/// rclone's filter rules (<c>--filter-from</c>), matched as rclone matches them:
/// <list type="bullet">
/// <item>a rule is <c>+ pattern</c> (include) or <c>- pattern</c> (exclude); <c>!</c> clears every rule before it;</item>
/// <item>rules are tried in order and the first that matches decides; a path no rule matches is included;</item>
/// <item>a pattern starting with <c>/</c> is anchored at the root, otherwise it matches the end of the path at a
/// '/' boundary (<c>*.jpg</c> matches <c>a.jpg</c> and <c>d/a.jpg</c>); <c>*</c> is any run of characters but '/',
/// <c>**</c> any run including '/', <c>?</c> one character but '/', <c>[...]</c> a class (passed to the regex engine as
/// rclone passes it to Go's), <c>{a,b}</c> alternatives, <c>\</c> escapes the next character;</item>
/// <item>a pattern ending in <c>/</c> is a directory rule: <c>- dir/</c> excludes the directory and everything under
/// it (rclone turns it into <c>dir/**</c>), <c>+ dir/</c> only lets the directory be entered — it includes no file;</item>
/// <item>directories are filtered as rclone walks them: a file is taken only when no directory above it is excluded by
/// the directory rules (the directory rules, <c>**</c> rules, and the directories include rules need — rclone's
/// globToDirGlobs), and the file rules take it.</item>
/// </list>
/// Not supported (refused, not ignored): <c>{{regexp}}</c> patterns. Matching is case-sensitive, as rclone's default.
/// </summary>
public sealed class RcloneFilterRules
{
    private readonly List<(bool Include, Regex Pattern)> _fileRules = [];
    private readonly List<(bool Include, Regex Pattern)> _dirRules = [];

    /// <summary>Parses rule lines (blank lines and lines starting with '#' or ';' are skipped, surrounding spaces trimmed).</summary>
    /// <exception cref="FormatException">A malformed rule or pattern, naming its line.</exception>
    public static RcloneFilterRules Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rules = new RcloneFilterRules();
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            try
            {
                if (line == "!") rules.Clear();
                else if (line.StartsWith("- ", StringComparison.Ordinal)) rules.Add(false, line[2..]);
                else if (line.StartsWith("+ ", StringComparison.Ordinal)) rules.Add(true, line[2..]);
                else throw new FormatException($"malformed rule \"{line}\" (rules are \"+ pattern\", \"- pattern\" or \"!\")");
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {number}: {e.Message}", e);
            }
        }
        return rules;
    }

    /// <summary>Whether a file at <paramref name="relativePath"/> ('/'-separated, relative to the root) is taken.</summary>
    public bool IsMatch(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        for (int slash = relativePath.IndexOf('/'); slash >= 0; slash = relativePath.IndexOf('/', slash + 1))
            if (!First(_dirRules, relativePath[..(slash + 1)])) return false;
        return First(_fileRules, relativePath);
    }

    private static bool First(List<(bool Include, Regex Pattern)> rules, string path)
    {
        foreach (var (include, pattern) in rules)
            if (pattern.IsMatch(path)) return include;
        return true;
    }

    private void Clear()
    {
        _fileRules.Clear();
        _dirRules.Clear();
    }

    // rclone's Filter.Add.
    private void Add(bool include, string glob)
    {
        bool dirRule = glob.EndsWith('/'), fileRule = !dirRule;
        if (dirRule && !include) glob += "**"; // excluding "dir/" is excluding "dir/**"
        if (glob.Contains("**", StringComparison.Ordinal)) dirRule = fileRule = true;
        var regex = ToRegex(glob);
        if (fileRule)
        {
            _fileRules.Add((include, regex));
            // An include needs the directories its files can be in; an exclude rules no directory out, except "*".
            if (include || glob == "*")
                foreach (string dirGlob in DirectoryGlobs(glob))
                    if (dirGlob != "/") _dirRules.Add((include, ToRegex(dirGlob)));
        }
        if (dirRule) _dirRules.Add((include, regex));
    }

    // rclone's globToDirGlobs: the directories a file glob can match in, as directory globs.
    private static List<string> DirectoryGlobs(string glob)
    {
        var output = new List<string>();
        if (Regex.IsMatch(glob, @"\{[^{}]*(\*\*|/)[^{}]*\}")) return ["/**"]; // '/' or '**' inside {}: any directory
        glob = Regex.Replace(glob, "/{2,}", "/");
        while (true)
        {
            int i = glob.LastIndexOf('/'), j = glob.LastIndexOf("**", StringComparison.Ordinal);
            string what = "";
            if (j > i)
            {
                i = j;
                what = "**";
            }
            if (i < 0)
            {
                if (output.Count == 0) output.Add("/**");
                return output;
            }
            glob = glob[..i];
            string next = glob + what + "/";
            if (output.Count == 0 || output[^1] != next) output.Add(next);
        }
    }

    /// <summary>rclone's GlobToRegexp in path mode, anchored.</summary>
    internal static Regex ToRegex(string glob)
    {
        var re = new StringBuilder();
        string original = glob;
        if (glob.StartsWith('/'))
        {
            glob = glob[1..];
            re.Append('^');
        }
        else re.Append("(^|/)");
        int stars = 0, brackets = 0;
        bool braces = false, escaped = false;
        char last = '\0';
        void Stars()
        {
            if (stars == 1) re.Append("[^/]*");
            else if (stars == 2) re.Append(".*");
            else if (stars > 2) throw new FormatException($"too many stars in \"{original}\"");
            stars = 0;
        }
        foreach (char c in glob)
        {
            char previous = last;
            last = c;
            if (escaped)
            {
                re.Append(c);
                escaped = false;
                continue;
            }
            if (c != '*') Stars();
            if (brackets > 0)
            {
                re.Append(c);
                if (c == '[') brackets++;
                if (c == ']') brackets--;
                continue;
            }
            switch (c)
            {
                case '\\': re.Append(c); escaped = true; break;
                case '*': stars++; break;
                case '?': re.Append("[^/]"); break;
                case '[': re.Append(c); brackets++; break;
                case ']': throw new FormatException($"mismatched ']' in \"{original}\"");
                case '{':
                    if (braces) throw new FormatException(previous == '{'
                        ? $"\"{original}\": {{{{regexp}}}} patterns are not supported"
                        : $"can't nest '{{' '}}' in \"{original}\"");
                    braces = true;
                    re.Append('(');
                    break;
                case '}':
                    if (!braces) throw new FormatException($"mismatched '{{' and '}}' in \"{original}\"");
                    braces = false;
                    re.Append(')');
                    break;
                case ',': re.Append(braces ? '|' : ','); break;
                case '.' or '+' or '(' or ')' or '|' or '^' or '$': re.Append('\\').Append(c); break;
                default: re.Append(c); break;
            }
        }
        Stars();
        if (brackets > 0) throw new FormatException($"mismatched '[' and ']' in \"{original}\"");
        if (braces) throw new FormatException($"mismatched '{{' and '}}' in \"{original}\"");
        re.Append('$');
        try
        {
            return new Regex(re.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"bad glob pattern \"{original}\": {e.Message}", e);
        }
    }
}
