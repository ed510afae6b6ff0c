using System.Globalization;
using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Xml;

namespace Sluice.S3.Tagging;

/// <summary>
/// S3's rules for tag sets (object tagging and bucket tagging): how many tags, how long keys and values may be, which
/// characters they may hold, and the <c>x-amz-tagging</c> header's form (URL query parameters: <c>k1=v1&amp;k2=v2</c>).
/// A tag set that breaks a rule is refused whole (InvalidTag, or InvalidArgument for a malformed header); nothing is
/// half-applied.
/// </summary>
/// <remarks>
/// Limits from the S3 user guide ("Categorizing your storage using tags"): up to 10 tags per object and 50 per bucket,
/// keys up to 128 Unicode characters, values up to 256, unique keys (case-sensitive). Characters: letters, numbers and
/// spaces representable in UTF-8, and <c>+ - = . _ : / @</c>. The <c>aws:</c> prefix is reserved for AWS's own tags.
/// Test suites (and Ceph RGW) expect every one of these refusals as InvalidTag, which is also what AWS answers for
/// all but the count; the count is refused as InvalidTag here too, so clients see one code for one kind of mistake.
/// </remarks>
public static class TagRules
{
    public const int MaxObjectTags = 10;
    public const int MaxBucketTags = 50;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;

    /// <summary>The problem with <paramref name="tags"/> as an object's (or, with <paramref name="forBucket"/>, a
    /// bucket's) tag set, or <c>default</c>.</summary>
    public static S3Problem Validate(IReadOnlyList<KeyValuePair<string, string>> tags, bool forBucket = false)
    {
        ArgumentNullException.ThrowIfNull(tags);
        int max = forBucket ? MaxBucketTags : MaxObjectTags;
        if (tags.Count > max)
        {
            return Invalid(forBucket ? $"Bucket tag count cannot be greater than {max}" : $"Object tags cannot be greater than {max}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (key.Length == 0)
            {
                return Invalid("The TagKey you have provided is invalid");
            }

            if (Length(key) > MaxKeyLength)
            {
                return Invalid($"The TagKey you have provided is too long, max {MaxKeyLength}");
            }

            if (Length(value) > MaxValueLength)
            {
                return Invalid($"The TagValue you have provided is too long, max {MaxValueLength}");
            }

            if (!HasAllowedCharacters(key))
            {
                return Invalid("The TagKey you have provided is invalid");
            }

            if (!HasAllowedCharacters(value))
            {
                return Invalid("The TagValue you have provided is invalid");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                return Invalid("Your TagKey cannot be prefixed with aws:");
            }

            if (!seen.Add(key))
            {
                return Invalid("Cannot provide multiple Tags with the same key");
            }
        }

        return default;
    }

    /// <summary>
    /// Parses an <c>x-amz-tagging</c> header (URL query parameters; <c>+</c> and <c>%20</c> are spaces; a name without
    /// <c>=</c> has an empty value) and validates the set as an object's. An empty header is the empty set.
    /// </summary>
    public static S3Problem TryParseHeader(string header, out IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(header);
        tags = [];
        if (header.Length == 0)
        {
            return default;
        }

        var list = new List<KeyValuePair<string, string>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string pair in header.Split('&'))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string rawKey = eq < 0 ? pair : pair[..eq];
            string rawValue = eq < 0 ? string.Empty : pair[(eq + 1)..];
            if (!S3UrlEncoding.TryDecode(rawKey, out string key) || !S3UrlEncoding.TryDecode(rawValue, out string value)
                || !names.Add(key))
            {
                return S3Problem.InvalidArgument(
                    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
                    "x-amz-tagging", header);
            }

            list.Add(new(key, value));
        }

        var problem = Validate(list);
        if (problem.IsNone)
        {
            tags = list;
        }

        return problem;
    }

    /// <summary>The <c>x-amz-tagging</c> header value for <paramref name="tags"/> (each part percent-encoded).</summary>
    public static string ToHeader(IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var sb = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return sb.ToString();
    }

    private static S3Problem Invalid(string message) => S3Problem.Of(S3ErrorCode.InvalidTag, message);

    /// <summary>Length in Unicode characters (a surrogate pair is one).</summary>
    private static int Length(string s)
    {
        int n = 0;
        foreach (Rune _ in s.EnumerateRunes())
        {
            n++;
        }

        return n;
    }

    private static bool HasAllowedCharacters(string s)
    {
        foreach (Rune r in s.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(r) || r.Value is '+' or '-' or '=' or '.' or '_' or ':' or '/' or '@')
            {
                continue;
            }

            UnicodeCategory category = Rune.GetUnicodeCategory(r);
            if (category is UnicodeCategory.SpaceSeparator or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                continue;
            }

            return false;
        }

        return true;
    }
}
