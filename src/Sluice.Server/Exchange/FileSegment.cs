using Sluice.IO.Files;

namespace Sluice.Server.Exchange;

/// <summary><paramref name="Length"/> bytes of <paramref name="File"/> from <paramref name="Offset"/>: part of a response body.</summary>
public readonly record struct FileSegment(IoFile File, long Offset, long Length);
