namespace Sluice.Server.Index;

/// <summary>
/// A write refused because the bucket's key index cannot be written (its file system is full or failing): the
/// bucket serves reads from the index in memory, and takes writes again as soon as its files can be written.
/// </summary>
public sealed class IndexReadOnlyException : IOException
{
    /// <summary>Creates the exception for the index in <paramref name="directory"/>.</summary>
    public IndexReadOnlyException(string directory, Exception cause)
        : base($"The key index in '{directory}' cannot be written ({cause?.Message}); it is read-only until it can be.", cause)
    {
        Directory = directory;
    }

    /// <summary>The index directory.</summary>
    public string Directory { get; }
}
