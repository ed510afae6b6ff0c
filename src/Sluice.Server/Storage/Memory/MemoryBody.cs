namespace Sluice.Server.Storage.Memory;

/// <summary>
/// An immutable body held in memory as a sequence of segments (chunks of at most 1 MiB, so no large array is ever
/// needed): an object's, a part's, or a multipart object's, which is its parts' segments in order (nothing copied).
/// <see cref="Reserved"/> is what the body counts against the store's limit.
/// </summary>
internal sealed class MemoryBody
{
    private readonly long[] _starts; // where each segment starts in the body (ascending)

    public MemoryBody(ReadOnlyMemory<byte>[] segments, long reserved)
    {
        Segments = segments;
        _starts = new long[segments.Length];
        long at = 0;
        for (int i = 0; i < segments.Length; i++)
        {
            _starts[i] = at;
            at += segments[i].Length;
        }
        Length = at;
        Reserved = reserved;
    }

    public static MemoryBody Empty { get; } = new([], 0);

    public ReadOnlyMemory<byte>[] Segments { get; }

    public long Length { get; }

    /// <summary>Bytes this body holds against the store's limit.</summary>
    public long Reserved { get; }

    /// <summary>The bodies in order as one body (segments shared), counting <paramref name="reserved"/>.</summary>
    public static MemoryBody Concat(IReadOnlyList<MemoryBody> bodies, long reserved) =>
        new(bodies.SelectMany(b => b.Segments).ToArray(), reserved);

    /// <summary>The same bytes, counting <paramref name="reserved"/> (a copy shares the segments).</summary>
    public MemoryBody Share(long reserved) => new(Segments, reserved);

    /// <summary>The segment holding body byte <paramref name="position"/> (&lt; Length) and the offset of that byte in it.</summary>
    public (int Index, int Offset) Locate(long position)
    {
        int i = Array.BinarySearch(_starts, position);
        if (i < 0) i = ~i - 1;
        while (i + 1 < _starts.Length && _starts[i + 1] == position) i++; // skip empty segments
        return (i, (int)(position - _starts[i]));
    }
}
