namespace Sluice.Cli.Commands;

/// <summary>What the one-object commands (cat, stat) share: an s3:// object location, never a prefix or a pattern.</summary>
internal static class ObjectCommands
{
    /// <summary>Parses <paramref name="text"/> as s3://bucket/key; a usage error for anything else.</summary>
    public static S3Path Object(string verb, string text)
    {
        if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
            throw new CliException($"{verb}: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
        return Object(verb, path, text);
    }

    /// <summary>
    /// <paramref name="path"/> as one object's location, or a usage error: also checked after a
    /// <c>?versionId=</c> suffix is split off, since <c>s3://b/dir/?versionId=X</c> names a folder once it is.
    /// </summary>
    public static S3Path Object(string verb, S3Path path, string text)
    {
        if (path.Key.Length == 0 || path.Key.EndsWith('/'))
            throw new CliException($"{verb}: {text} is not an object: give s3://bucket/key", Program.ExitUsage);
        return path;
    }
}
