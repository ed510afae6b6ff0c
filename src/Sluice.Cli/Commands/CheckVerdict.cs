namespace Sluice.Cli.Commands;

/// <summary>What <c>sluice check</c> found for one path (the JSON record's "result", camel case).</summary>
internal enum CheckVerdict
{
    /// <summary>Both sides hold it, with the same size and content.</summary>
    Same,

    /// <summary>Both sides hold it, with different sizes or content.</summary>
    Differ,

    /// <summary>Only the source holds it.</summary>
    OnlyInSource,

    /// <summary>Only the destination holds it (not reported with --one-way).</summary>
    OnlyInDestination,

    /// <summary>The sizes match but nothing can tell whether the bytes do (no comparable checksum or ETag).</summary>
    Unverified,
}
