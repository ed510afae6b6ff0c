namespace Sluice.Cli.Commands;

/// <summary>A command-line location: <c>s3://bucket/key-or-prefix</c>, or a local path (<c>-</c> meaning stdin/stdout).</summary>
internal sealed record S3Path(string? Bucket, string Key, string? LocalPath)
{
    private const string Scheme = "s3://";

    /// <summary>True for an s3:// location.</summary>
    public bool IsS3 => Bucket != null;

    /// <summary>True for "-" (standard input or output).</summary>
    public bool IsStdio => LocalPath == "-";

    /// <summary>Parses <paramref name="text"/>; an s3:// URL needs a bucket name.</summary>
    public static bool TryParse(string text, out S3Path path, out string? error)
    {
        path = new S3Path(null, "", text);
        error = null;
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return text.Length > 0 || Fail("an empty path", out error);
        string rest = text[Scheme.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0) return Fail($"'{text}' has no bucket name (s3://BUCKET/KEY)", out error);
        path = new S3Path(bucket, slash < 0 ? "" : rest[(slash + 1)..], null);
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    public override string ToString() => IsS3 ? $"{Scheme}{Bucket}/{Key}" : LocalPath!;
}
