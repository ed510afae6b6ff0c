using Sluice.IO.Shm;
using Sluice.S3.Checksums;
using Sluice.Server.Storage;

namespace Sluice.Server.Placement;

/// <summary>
/// A client's memfd as the server maps it, with the secret its tokens must carry. Reference-counted: the registry
/// holds one reference while the client's socket is open, each transfer one more, so a client that disconnects (or
/// dies) mid-transfer leaves the mapping in place until that transfer ends — the memory stays valid because the server
/// owns its own mapping of the (shrink-sealed) file.
/// </summary>
internal sealed class ShmServerRegion : IPlacementRegion
{
    /// <summary>Bytes moved per file read or write: large enough for full-speed I/O, small enough to bound one operation.</summary>
    private const int ChunkBytes = 8 << 20;

    private readonly SharedMemoryRegion _map;
    private readonly byte[] _secret;
    private int _references = 1;

    public ShmServerRegion(Guid id, SharedMemoryRegion map, byte[] secret, uint uid)
    {
        Id = id;
        _map = map;
        _secret = secret;
        Uid = uid;
    }

    public Guid Id { get; }

    public long Length => _map.Length;

    /// <summary>The registering process's user id.</summary>
    public uint Uid { get; }

    public ReadOnlySpan<byte> Secret => _secret;

    /// <summary>Pins the region for a transfer; false once it was unregistered and released.</summary>
    public bool TryAddReference()
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current) return true;
            current = seen;
        }
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) _map.Release();
    }

    public async ValueTask PlaceAsync(long offset, IObjectReader source, long position, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckWindow(offset, count);
        long done = 0;
        while (done < count)
        {
            // The store reads from its file straight into the mapping (io_uring READ into the client's pages): no
            // socket and no copy in user space.
            int want = (int)Math.Min(count - done, ChunkBytes);
            int n = await source.ReadAsync(_map.Slice(offset + done, want), position + done, cancellationToken).ConfigureAwait(false);
            if (n <= 0) throw new IOException($"the object ended {count - done} bytes before the placed range did");
            done += n;
        }
    }

    public async ValueTask PullAsync(long offset, long count, IBodyWriter destination, S3Checksum? extra, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckWindow(offset, count);
        long done = 0;
        while (done < count)
        {
            int want = (int)Math.Min(count - done, ChunkBytes);
            var chunk = _map.Slice(offset + done, want);
            extra?.Append(chunk.Span);
            // The writer hashes the mapping's bytes and writes them to its file from there.
            await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            done += want;
        }
    }

    private void CheckWindow(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset > _map.Length - count)
            throw new ArgumentOutOfRangeException(nameof(count), "the window lies outside the region");
    }
}
