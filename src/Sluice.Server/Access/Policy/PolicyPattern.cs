using System.Text;

namespace Sluice.Server.Access.Policy;

/// <summary>
/// A policy string (a Resource, an Action, a condition value) compiled once: literal text, the wildcards <c>*</c> and
/// <c>?</c>, and policy variables (<c>${aws:username}</c>, with <c>${*}</c>, <c>${?}</c>, <c>${$}</c> for the literal
/// characters). A variable's value is matched literally, so a user name holding <c>*</c> widens nothing.
/// </summary>
internal sealed class PolicyPattern
{
    private enum PartKind : byte { Text, Star, One, Variable }

    private readonly record struct Part(PartKind Kind, string Text);

    private readonly Part[] _parts;

    /// <summary>Without variables: the pattern flattened once (characters, wildcard marks) and its literal text, so a
    /// match allocates nothing.</summary>
    private readonly string? _flat;
    private readonly byte[]? _marks;
    private readonly string? _literal;

    private PolicyPattern(string source, Part[] parts)
    {
        Source = source;
        _parts = parts;
        foreach (var p in parts)
        {
            if (p.Kind is PartKind.Star or PartKind.One) HasWildcards = true;
            if (p.Kind == PartKind.Variable) HasVariables = true;
        }
        if (!HasVariables)
        {
            var chars = new StringBuilder(source.Length);
            var marks = new List<byte>(source.Length);
            Flatten(chars, marks, null, wildcards: true, variablesAsStar: false);
            _flat = chars.ToString();
            _marks = [.. marks];
            _literal = _flat;
        }
    }

    /// <summary>The text as the document wrote it.</summary>
    public string Source { get; }

    public bool HasWildcards { get; }

    public bool HasVariables { get; }

    /// <summary>Compiles <paramref name="text"/>; variables only in version 2012-10-17 documents (2008-10-17 reads
    /// <c>${...}</c> literally, as IAM does).</summary>
    public static PolicyPattern Compile(string text, bool variables)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        void Flush()
        {
            if (literal.Length > 0) parts.Add(new Part(PartKind.Text, literal.ToString()));
            literal.Clear();
        }
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (variables && ch == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                int end = text.IndexOf('}', i + 2);
                if (end > i + 2)
                {
                    string name = text[(i + 2)..end];
                    i = end;
                    switch (name)
                    {
                        case "*": literal.Append('*'); break;
                        case "?": literal.Append('?'); break;
                        case "$": literal.Append('$'); break;
                        default:
                            Flush();
                            parts.Add(new Part(PartKind.Variable, name.Trim()));
                            break;
                    }
                    continue;
                }
            }
            if (ch is '*' or '?')
            {
                Flush();
                parts.Add(new Part(ch == '*' ? PartKind.Star : PartKind.One, ""));
                continue;
            }
            literal.Append(ch);
        }
        Flush();
        return new PolicyPattern(text, [.. parts]);
    }

    /// <summary>The variables' names (for validation and the public-policy test).</summary>
    public IEnumerable<string> Variables => _parts.Where(p => p.Kind == PartKind.Variable).Select(p => p.Text);

    /// <summary>True when some string <paramref name="prefix"/>+suffix could match (variables taken as <c>*</c>):
    /// whether a Resource can name anything under a bucket.</summary>
    public bool CanMatchWithPrefix(string prefix)
    {
        // The set of (part, offset-in-text-part) states reachable after consuming prefix; any survivor can be
        // completed by some suffix, since the remaining parts are literals and wildcards.
        var states = new HashSet<(int Part, int Offset)>();
        void Add(int part, int offset)
        {
            if (!states.Add((part, offset))) return;
            if (part < _parts.Length && _parts[part].Kind is PartKind.Star or PartKind.Variable && offset == 0)
                Add(part + 1, 0); // a star may match nothing
        }
        Add(0, 0);
        foreach (char ch in prefix)
        {
            var next = new HashSet<(int, int)>();
            foreach (var (part, offset) in states)
            {
                if (part >= _parts.Length) continue;
                var p = _parts[part];
                switch (p.Kind)
                {
                    case PartKind.Star or PartKind.Variable:
                        next.Add((part, 0));
                        next.Add((part + 1, 0));
                        break;
                    case PartKind.One:
                        next.Add((part + 1, 0));
                        break;
                    case PartKind.Text when p.Text[offset] == ch:
                        next.Add(offset + 1 == p.Text.Length ? (part + 1, 0) : (part, offset + 1));
                        break;
                }
            }
            states.Clear();
            foreach (var (part, offset) in next) Add(part, offset);
            if (states.Count == 0) return false;
        }
        return true;
    }

    /// <summary>True when the pattern (variables taken as <c>*</c>) matches <paramref name="value"/> exactly.</summary>
    public bool CouldMatch(string value) => MatchCore(value, null, ignoreCase: false, wildcards: true, variablesAsStar: true);

    /// <summary>Glob match (<c>*</c>, <c>?</c>) of <paramref name="value"/>; false when a variable has no value.</summary>
    public bool Like(string value, PolicyContext? context, bool ignoreCase = false) =>
        MatchCore(value, context, ignoreCase, wildcards: true, variablesAsStar: false);

    /// <summary>Exact comparison (wildcards literal) of <paramref name="value"/>; false when a variable has no value.</summary>
    public bool EqualsValue(string value, PolicyContext? context, bool ignoreCase) =>
        MatchCore(value, context, ignoreCase, wildcards: false, variablesAsStar: false);

    /// <summary>The text with variables resolved (wildcards literal); null when a variable has no value.</summary>
    public string? Resolve(PolicyContext? context)
    {
        if (_literal != null) return _literal;
        var text = new StringBuilder();
        foreach (var p in _parts)
        {
            switch (p.Kind)
            {
                case PartKind.Text: text.Append(p.Text); break;
                case PartKind.Star: text.Append('*'); break;
                case PartKind.One: text.Append('?'); break;
                default:
                    if (context == null || !context.TryGetVariable(p.Text, out string? v)) return null;
                    text.Append(v);
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>Flattens the parts into characters and a per-character wildcard mark (0 literal, 1 star, 2 one), then
    /// matches with the classic backtracking glob walk (linear in practice, no recursion).</summary>
    private bool MatchCore(string value, PolicyContext? context, bool ignoreCase, bool wildcards, bool variablesAsStar)
    {
        if (_flat != null)
        {
            return wildcards
                ? Glob(_flat, _marks!, value, ignoreCase)
                : string.Equals(_literal, value, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }
        var chars = new StringBuilder(Source.Length);
        var marks = new List<byte>(Source.Length);
        return Flatten(chars, marks, context, wildcards, variablesAsStar) && Glob(chars.ToString(), [.. marks], value, ignoreCase);
    }

    /// <summary>Writes the pattern's characters and marks; false when a variable has no value.</summary>
    private bool Flatten(StringBuilder chars, List<byte> marks, PolicyContext? context, bool wildcards, bool variablesAsStar)
    {
        foreach (var p in _parts)
        {
            switch (p.Kind)
            {
                case PartKind.Text:
                    chars.Append(p.Text);
                    for (int i = 0; i < p.Text.Length; i++) marks.Add(0);
                    break;
                case PartKind.Star or PartKind.One:
                    chars.Append(p.Kind == PartKind.Star ? '*' : '?');
                    marks.Add(wildcards ? (byte)(p.Kind == PartKind.Star ? 1 : 2) : (byte)0);
                    break;
                default:
                    if (variablesAsStar)
                    {
                        chars.Append('*');
                        marks.Add(1);
                        break;
                    }
                    if (context == null || !context.TryGetVariable(p.Text, out string? v)) return false;
                    chars.Append(v);
                    for (int i = 0; i < v.Length; i++) marks.Add(0);
                    break;
            }
        }
        return true;
    }

    private static bool Glob(string pattern, byte[] marks, string input, bool ignoreCase)
    {
        int p = 0, s = 0, star = -1, resume = 0;
        while (s < input.Length)
        {
            if (p < pattern.Length && marks[p] == 1)
            {
                star = p++;
                resume = s;
            }
            else if (p < pattern.Length && (marks[p] == 2 || Same(pattern[p], input[s], ignoreCase)))
            {
                p++;
                s++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                s = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && marks[p] == 1) p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
