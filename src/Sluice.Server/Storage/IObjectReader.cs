using Sluice.Server.Exchange;

namespace Sluice.Server.Storage;

/// <summary>
/// One open object version: its metadata and its body by position. The store decides how the body travels
/// (<see cref="SendAsync"/>): file segments a front may splice, bytes already in memory, or a stream of chunks.
/// Dispose once per holder.
/// </summary>
public interface IObjectReader : IAsyncDisposable
{
    ObjectMetadata Metadata { get; }

    /// <summary>Body length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads body bytes from <paramref name="position"/>; 0 at the end of the body (or of a segment's end, never mid-body).</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken = default);

    /// <summary>Sends the response (its head already set up) with body bytes [offset, offset + length).</summary>
    ValueTask SendAsync(S3Exchange exchange, long offset, long length, CancellationToken cancellationToken = default);
}
