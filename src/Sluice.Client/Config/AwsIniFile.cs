namespace Sluice.Client.Config;

/// <summary>
/// The AWS shared config/credentials INI dialect: [section] headers, key = value lines, # and ; comments, and
/// nested sub-sections ("s3 =" followed by indented key = value lines, stored as "s3.key").
/// </summary>
public sealed class AwsIniFile
{
    private readonly Dictionary<string, Dictionary<string, string>> _sections = new(StringComparer.Ordinal);

    /// <summary>Parses INI text.</summary>
    public static AwsIniFile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var file = new AwsIniFile();
        Dictionary<string, string>? section = null;
        string? nested = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }

            if (trimmed[0] == '[' && trimmed[^1] == ']')
            {
                string name = trimmed[1..^1].Trim();
                if (!file._sections.TryGetValue(name, out section))
                {
                    section = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    file._sections[name] = section;
                }

                nested = null;
                continue;
            }

            int eq = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (section is null || eq <= 0)
            {
                continue;
            }

            string key = trimmed[..eq].Trim();
            string value = trimmed[(eq + 1)..].Trim();
            bool indented = line.Length > 0 && char.IsWhiteSpace(line[0]);
            if (indented && nested is not null)
            {
                section[nested + "." + key] = value;
                continue;
            }

            nested = value.Length == 0 ? key : null;
            if (value.Length > 0)
            {
                section[key] = value;
            }
        }

        return file;
    }

    /// <summary>Reads a file; a missing file is an empty one.</summary>
    public static AwsIniFile Load(string? path) =>
        path is not null && File.Exists(path) ? Parse(File.ReadAllText(path)) : new AwsIniFile();

    /// <summary>A key of a section ("s3.endpoint_url" for nested keys), or null.</summary>
    public string? Get(string section, string key) =>
        _sections.TryGetValue(section, out Dictionary<string, string>? s) && s.TryGetValue(key, out string? v) ? v : null;

    public bool HasSection(string section) => _sections.ContainsKey(section);
}
