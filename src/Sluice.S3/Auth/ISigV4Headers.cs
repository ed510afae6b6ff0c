namespace Sluice.S3.Auth;

/// <summary>
/// Read access to a request's headers as raw bytes, in arrival order, duplicates included. The server adapts its
/// parsed header table to this (a struct or ref struct avoids any allocation); names compare case-insensitively.
/// </summary>
public interface ISigV4Headers
{
    /// <summary>Number of header lines.</summary>
    int Count { get; }

    /// <summary>Name of the header at <paramref name="index"/> (any case).</summary>
    ReadOnlySpan<byte> GetName(int index);

    /// <summary>Raw value of the header at <paramref name="index"/> (untrimmed).</summary>
    ReadOnlySpan<byte> GetValue(int index);
}
