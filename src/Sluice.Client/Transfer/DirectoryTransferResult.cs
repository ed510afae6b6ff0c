namespace Sluice.Client.Transfer;

/// <summary>What a directory upload or download did: the files moved, their bytes, and those skipped by the filters.</summary>
public sealed record DirectoryTransferResult
{
    public required IReadOnlyList<TransferResult> Files { get; init; }
    public long Bytes { get; init; }

    /// <summary>Entries the include/exclude globs left out.</summary>
    public int Skipped { get; init; }

    /// <summary>Source entries left out because they are not regular files (devices, FIFOs, sockets), as full paths.</summary>
    public IReadOnlyList<string> NotRegularFiles { get; init; } = [];
}
