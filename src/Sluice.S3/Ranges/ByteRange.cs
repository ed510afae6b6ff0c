namespace Sluice.S3.Ranges;

/// <summary>A satisfiable byte range of an object: <see cref="Length"/> bytes from <see cref="Offset"/>.</summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    /// <summary>Offset of the last byte (inclusive), as Content-Range writes it.</summary>
    public long Last => Offset + Length - 1;
}
