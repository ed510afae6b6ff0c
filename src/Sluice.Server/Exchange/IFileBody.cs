namespace Sluice.Server.Exchange;

/// <summary>
/// A response body that lies in files, one region after another (a multipart object's parts). A front moves the
/// regions its own way: splice from file to socket on the io_uring front, a copy through a buffer elsewhere.
/// </summary>
public interface IFileBody
{
    /// <summary>Body length in bytes.</summary>
    long Length { get; }

    /// <summary>
    /// The file region holding body byte <paramref name="position"/> (&lt; <see cref="Length"/>), from that byte to
    /// the end of its segment.
    /// </summary>
    FileSegment SegmentAt(long position);
}
