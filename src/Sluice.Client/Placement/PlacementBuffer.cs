namespace Sluice.Client.Placement;

/// <summary>
/// A transfer buffer: part of a registered placement region (its bytes can be placed by the server directly), or,
/// when the client has none, ordinary memory (every transfer then goes over HTTP). Dispose returns it.
/// </summary>
public sealed class PlacementBuffer : IDisposable
{
    private readonly ShmPlacementClient? _owner;
    private readonly long _size;
    private int _returned;

    internal PlacementBuffer(ShmPlacementClient owner, Memory<byte> memory, long offset, long size)
    {
        _owner = owner;
        Memory = memory;
        Offset = offset;
        _size = size;
    }

    internal PlacementBuffer(Memory<byte> memory)
    {
        Memory = memory;
        Offset = -1;
    }

    /// <summary>The buffer's bytes.</summary>
    public Memory<byte> Memory { get; }

    /// <summary>True when the buffer lies in a registered region (transfers can be placed).</summary>
    public bool IsRegistered => _owner != null;

    /// <summary>Offset in the region (-1 for ordinary memory).</summary>
    public long Offset { get; }

    /// <summary>The token naming the first <paramref name="length"/> bytes of the buffer (registered buffers only).</summary>
    internal string Token(long length) => _owner!.Token(Offset, length);

    public void Dispose()
    {
        if (_owner != null && Interlocked.Exchange(ref _returned, 1) == 0) _owner.Return(Offset, _size);
    }
}
