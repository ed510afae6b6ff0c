using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Client.Transfer;

/// <summary>
/// Include/exclude globs over relative paths ('/'-separated): <c>*</c> matches within one path segment,
/// <c>**</c> across segments (<c>**/</c> also matches no directory), <c>?</c> one character, <c>[abc]</c> / <c>[!a-z]</c>
/// a class. A path passes when it matches some include (or there are none) and no exclude.
/// </summary>
public sealed class GlobFilter
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;

    public GlobFilter(IEnumerable<string>? include = null, IEnumerable<string>? exclude = null)
    {
        _include = (include ?? []).Select(ToRegex).ToArray();
        _exclude = (exclude ?? []).Select(ToRegex).ToArray();
    }

    /// <summary>A filter that lets everything through.</summary>
    public static GlobFilter All { get; } = new();

    public bool IsMatch(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (_include.Length > 0 && !_include.Any(r => r.IsMatch(relativePath))) return false;
        return !_exclude.Any(r => r.IsMatch(relativePath));
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
