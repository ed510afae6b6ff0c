namespace Sluice.Server.Tests.Compat;

/// <summary>
/// The key set every client lists: more than 1000 keys, laid out so that with prefix "tree/" and delimiter "/" the
/// 1000th entry of a page is a common prefix ("tree/g/", three keys): the next page, whether it resumes from a V1
/// marker or a V2 token, must neither repeat that prefix nor return its keys. Keys compare as S3 orders them.
/// </summary>
internal static class ListingTree
{
    public const string Root = "tree/";
    public const string BoundaryPrefix = "tree/g/";

    public static IReadOnlyList<string> Keys { get; } = Build();

    /// <summary>The plain keys directly under "tree/" (without the ones under "tree/g/").</summary>
    public static IEnumerable<string> DirectKeys => Keys.Where(k => !k.StartsWith(BoundaryPrefix, StringComparison.Ordinal));

    public static int DirectCount => Keys.Count - 3;

    private static List<string> Build()
    {
        var keys = new List<string>();
        for (int i = 0; i < 999; i++) keys.Add($"{Root}f{i:D4}");
        keys.Add($"{BoundaryPrefix}1");
        keys.Add($"{BoundaryPrefix}2");
        keys.Add($"{BoundaryPrefix}3");
        for (int i = 0; i < 101; i++) keys.Add($"{Root}h{i:D4}");
        return keys; // 1102 keys, already in byte order
    }

    /// <summary>Writes the tree as small files under <paramref name="directory"/> (the file's content is its key).</summary>
    public static void WriteFiles(string directory)
    {
        foreach (var key in Keys)
        {
            string path = Path.Combine(directory, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, key);
        }
    }
}
