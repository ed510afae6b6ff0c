using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Client.Transfer;

/// <summary>
/// Which relative paths ('/'-separated) a directory transfer takes. Two kinds:
/// <list type="bullet">
/// <item>Include/exclude globs (the constructor): <c>*</c> matches within one path segment, <c>**</c> across segments
/// (<c>**/</c> also matches no directory), <c>?</c> one character, <c>[abc]</c> / <c>[!a-z]</c> a class. A path passes
/// when it matches some include (or there are none) and no exclude.</item>
/// <item>Ordered rules as <c>aws s3</c> applies its <c>--exclude</c>/<c>--include</c> (<see cref="Ordered"/>): every
/// path is taken unless a rule says otherwise, each rule that matches decides anew, so the last one wins; patterns
/// are Python fnmatch's: <c>*</c> any run of characters, <c>/</c> included, <c>?</c> any one, <c>[seq]</c> /
/// <c>[!seq]</c> a class.</item>
/// <item>rclone's filter rules, first match wins (<see cref="Rclone"/>, see <see cref="RcloneFilterRules"/>).</item>
/// <item>An exact list of paths (<see cref="Exactly"/>, rclone's --files-from).</item>
/// </list>
/// Any kind may also bound sizes and ages (<see cref="WithBounds"/>, rclone's --min-size, --max-size, --min-age and
/// --max-age); a filter with bounds must be asked with the size and time (<see cref="IsMatch(string, long, DateTimeOffset)"/>).
/// </summary>
public sealed class GlobFilter
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;
    private readonly (bool Include, Regex Pattern)[]? _rules;
    private RcloneFilterRules? _rclone;
    private IReadOnlySet<string>? _paths;
    private long? _minSize, _maxSize;
    private DateTimeOffset? _notBefore, _notAfter;

    public GlobFilter(IEnumerable<string>? include = null, IEnumerable<string>? exclude = null)
    {
        _include = (include ?? []).Select(ToRegex).ToArray();
        _exclude = (exclude ?? []).Select(ToRegex).ToArray();
    }

    private GlobFilter((bool Include, Regex Pattern)[] rules)
    {
        _include = [];
        _exclude = [];
        _rules = rules;
    }

    /// <summary>A filter that lets everything through.</summary>
    public static GlobFilter All { get; } = new();

    /// <summary>
    /// <c>aws s3</c>'s filters: <paramref name="rules"/> in the order given (true: --include, false: --exclude), each
    /// an fnmatch pattern over the whole relative path; a path is taken unless the last rule matching it excludes it.
    /// </summary>
    public static GlobFilter Ordered(IEnumerable<(bool Include, string Pattern)> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new GlobFilter(rules.Select(rule => (rule.Include, FnmatchRegex(rule.Pattern))).ToArray());
    }

    /// <summary>rclone's rules (<c>--filter-from</c>): the first rule that matches a path decides; none matching takes it.</summary>
    public static GlobFilter Rclone(RcloneFilterRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new GlobFilter { _rclone = rules };
    }

    /// <summary>Exactly these relative paths (rclone's <c>--files-from</c>), compared as given ('/'-separated, ordinal).</summary>
    public static GlobFilter Exactly(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return new GlobFilter { _paths = paths.ToHashSet(StringComparer.Ordinal) };
    }

    /// <summary>Whether any size or age bound is set.</summary>
    public bool HasBounds => _minSize != null || _maxSize != null || _notBefore != null || _notAfter != null;

    /// <summary>
    /// A copy that also takes only sizes in [<paramref name="minSize"/>, <paramref name="maxSize"/>] bytes and times of
    /// last modification in [<paramref name="notBefore"/>, <paramref name="notAfter"/>] (null: unbounded).
    /// </summary>
    public GlobFilter WithBounds(long? minSize, long? maxSize, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        var copy = _rules != null ? new GlobFilter(_rules) : new GlobFilter(_include, _exclude);
        copy._rclone = _rclone;
        copy._paths = _paths;
        copy._minSize = minSize;
        copy._maxSize = maxSize;
        copy._notBefore = notBefore;
        copy._notAfter = notAfter;
        return copy;
    }

    private GlobFilter(Regex[] include, Regex[] exclude)
    {
        _include = include;
        _exclude = exclude;
    }

    /// <summary>The path rules and the bounds, for a file or object of <paramref name="size"/> bytes last modified at <paramref name="modified"/>.</summary>
    public bool IsMatch(string relativePath, long size, DateTimeOffset modified) =>
        MatchesPath(relativePath)
        && (_minSize is not { } min || size >= min)
        && (_maxSize is not { } max || size <= max)
        && (_notBefore is not { } notBefore || modified >= notBefore)
        && (_notAfter is not { } notAfter || modified <= notAfter);

    /// <summary>The path rules alone; a filter with bounds refuses to answer without the size and time.</summary>
    public bool IsMatch(string relativePath)
    {
        if (HasBounds)
            throw new InvalidOperationException("this filter bounds sizes or ages: ask IsMatch(path, size, modified)");
        return MatchesPath(relativePath);
    }

    private bool MatchesPath(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (_paths != null) return _paths.Contains(relativePath);
        if (_rclone != null) return _rclone.IsMatch(relativePath);
        if (_rules != null)
        {
            bool taken = true;
            foreach (var (include, pattern) in _rules)
                if (pattern.IsMatch(relativePath)) taken = include;
            return taken;
        }
        if (_include.Length > 0 && !_include.Any(r => r.IsMatch(relativePath))) return false;
        return !_exclude.Any(r => r.IsMatch(relativePath));
    }

    /// <summary>
    /// Python's fnmatch.translate, as awscli matches its filters: <c>*</c> any characters (<c>/</c> too), <c>?</c> any
    /// one, <c>[seq]</c>, <c>[!seq]</c>; a <c>[</c> with no closing <c>]</c> is itself; a class starting with <c>^</c>
    /// takes it literally. Case-sensitive (as on POSIX).
    /// </summary>
    public static Regex FnmatchRegex(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else if (c == '[')
            {
                int j = i + 1;
                if (j < pattern.Length && pattern[j] == '!') j++;
                if (j < pattern.Length && pattern[j] == ']') j++;
                while (j < pattern.Length && pattern[j] != ']') j++;
                if (j >= pattern.Length)
                {
                    sb.Append("\\[");
                    continue;
                }
                string body = pattern[(i + 1)..j];
                sb.Append('[');
                int k = 0;
                if (body.StartsWith('!'))
                {
                    sb.Append('^');
                    k = 1;
                }
                else if (body.StartsWith('^'))
                {
                    sb.Append("\\^");
                    k = 1;
                }
                for (; k < body.Length; k++)
                    sb.Append(body[k] is '\\' or '[' or ']' ? "\\" + body[k] : body[k].ToString());
                sb.Append(']');
                i = j;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    /// <summary>Translates one glob to an anchored regex; malformed globs are an <see cref="ArgumentException"/>.</summary>
    public static Regex ToRegex(string glob)
    {
        ArgumentException.ThrowIfNullOrEmpty(glob);
        var sb = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*':
                    if (i + 1 < glob.Length && glob[i + 1] == '*')
                    {
                        i++;
                        if (i + 1 < glob.Length && glob[i + 1] == '/') { i++; sb.Append("(?:.*/)?"); }
                        else sb.Append(".*");
                    }
                    else sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    int end = glob.IndexOf(']', i + 2);
                    if (end < 0) throw new ArgumentException($"glob '{glob}': unclosed '['", nameof(glob));
                    string body = glob[(i + 1)..end];
                    bool negate = body.StartsWith('!') || body.StartsWith('^');
                    if (negate) body = body[1..];
                    sb.Append('[').Append(negate ? "^/" : "");
                    foreach (char b in body) sb.Append(b is '\\' or ']' or '[' or '^' ? "\\" + b : b.ToString());
                    sb.Append(']');
                    i = end;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }
}
