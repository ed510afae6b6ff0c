namespace Sluice.S3.Http;

/// <summary>An offset/length pair into a parsed buffer: lets a head outlive the spans without copying or strings.</summary>
public readonly record struct HttpSlice(int Offset, int Length)
{
    /// <summary>True for a zero-length slice.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The bytes of this slice in <paramref name="buffer"/> (the buffer the head was parsed from).</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => buffer.Slice(Offset, Length);

    /// <summary>Where <paramref name="part"/> sits inside <paramref name="buffer"/>; empty parts map to (0, 0).</summary>
    internal static HttpSlice Locate(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> part) =>
        buffer.Overlaps(part, out int offset) ? new HttpSlice(offset, part.Length) : default;
}
