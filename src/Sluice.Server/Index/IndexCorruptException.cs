namespace Sluice.Server.Index;

/// <summary>
/// A persisted index file is damaged somewhere other than a torn journal tail (a bad CRC with records after it,
/// a damaged snapshot, a gap in the journal sequence). Loading stops rather than silently dropping keys; the
/// operator can rebuild the index from the object store's directory scan.
/// </summary>
public sealed class IndexCorruptException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> at byte <paramref name="offset"/>.</summary>
    public IndexCorruptException(string path, long offset, string problem)
        : base($"Key index file '{path}' is corrupt at byte {offset}: {problem}")
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>The damaged file.</summary>
    public string FilePath { get; }

    /// <summary>Where the damage starts.</summary>
    public long Offset { get; }
}
