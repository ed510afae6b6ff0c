using System.Buffers;

namespace Sluice.Client.Transport;

/// <summary>Where a 2xx response body goes.</summary>
internal enum SinkKind : byte
{
    /// <summary>Discard (drained so the connection stays usable).</summary>
    None,

    /// <summary>Into a caller's memory, at offset = bytes delivered so far.</summary>
    Memory,

    /// <summary>Into a caller's IBufferWriter.</summary>
    Writer,

    /// <summary>Written to a caller's Stream.</summary>
    Stream,

    /// <summary>Collected into a pooled buffer (XML bodies) the caller parses and returns.</summary>
    Buffer,
}

/// <summary>The destination of a response body; a struct so the request path does not allocate for it.</summary>
internal readonly struct ResponseSink
{
    public ResponseSink(Memory<byte> memory)
    {
        Kind = SinkKind.Memory;
        Memory = memory;
    }

    public ResponseSink(IBufferWriter<byte> writer)
    {
        Kind = SinkKind.Writer;
        Writer = writer;
    }

    public ResponseSink(Stream stream)
    {
        Kind = SinkKind.Stream;
        Stream = stream;
    }

    private ResponseSink(SinkKind kind) => Kind = kind;

    public static ResponseSink Discard => default;

    public static ResponseSink Collect => new(SinkKind.Buffer);

    public SinkKind Kind { get; }

    public Memory<byte> Memory { get; }

    public IBufferWriter<byte>? Writer { get; }

    public Stream? Stream { get; }
}
