using Sluice.Server.Exchange;

namespace Sluice.Server.Storage.Memory;

/// <summary>
/// A memory store version open for reading. The body is immutable, so the reader holds nothing to release and
/// later writes of the key never change what it reads. A range inside one segment is sent as bytes in one write;
/// a longer one as the head and then each segment's slice in turn.
/// </summary>
internal sealed class MemoryObjectReader(ObjectMetadata metadata, MemoryBody body) : IObjectReader
{
    public ObjectMetadata Metadata { get; } = metadata;

    public long Length => body.Length;

    public ValueTask<int> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (position >= body.Length || buffer.IsEmpty) return ValueTask.FromResult(0);
        var (i, offset) = body.Locate(position);
        var segment = body.Segments[i].Span[offset..];
        int n = Math.Min(segment.Length, buffer.Length);
        segment[..n].CopyTo(buffer.Span);
        return ValueTask.FromResult(n);
    }

    public async ValueTask SendAsync(S3Exchange exchange, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (length == 0)
        {
            await exchange.SendHeadAsync(0, cancellationToken);
            return;
        }
        var (i, at) = body.Locate(offset);
        if (body.Segments[i].Length - at >= length)
        {
            await exchange.SendAsync(body.Segments[i].Slice(at, (int)length), cancellationToken);
            return;
        }
        await exchange.SendHeadAsync(length, cancellationToken);
        for (long left = length; left > 0; i++, at = 0)
        {
            var slice = body.Segments[i][at..];
            if (slice.Length > left) slice = slice[..(int)left];
            if (slice.IsEmpty) continue;
            await exchange.WriteBodyAsync(slice, cancellationToken);
            left -= slice.Length;
        }
    }

    public ValueTask DisposeAsync() => default;
}
