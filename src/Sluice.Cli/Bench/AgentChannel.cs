using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Bench;

/// <summary>
/// One end of a driver–agent connection: <see cref="AgentMessage"/>s as single JSON lines, and raw CSV lines for
/// records. Sends are serialised (an agent's ticks and its answers come from different tasks); one reader at a time.
/// </summary>
internal sealed class AgentChannel : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly SemaphoreSlim _sending = new(1, 1);

    public AgentChannel(TcpClient tcp, string peer)
    {
        _tcp = tcp;
        tcp.NoDelay = true;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, new UTF8Encoding(false), false, 1 << 16);
        Peer = peer;
    }

    /// <summary>The other end, for messages ("127.0.0.1:7761").</summary>
    public string Peer { get; }

    /// <summary>Sends one message.</summary>
    public async Task SendAsync(AgentMessage message, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
            JsonSerializer.Serialize(json, message, BenchJsonContext.Default.AgentMessage);
        buffer.Write("\n"u8);
        await SendRawAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>Sends a message followed by text lines (records), without another send in between.</summary>
    public async Task SendWithLinesAsync(AgentMessage message, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            var buffer = new ArrayBufferWriter<byte>(1 << 16);
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
                JsonSerializer.Serialize(json, message, BenchJsonContext.Default.AgentMessage);
            buffer.Write("\n"u8);
            foreach (string line in lines)
            {
                Encoding.UTF8.GetBytes(line + "\n", buffer);
                if (buffer.WrittenCount < 1 << 20) continue;
                await _stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
            await _stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next message.</summary>
    /// <exception cref="IOException">The connection closed, or the line is not a message.</exception>
    public async Task<AgentMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        string line = await ReadLineAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(line, BenchJsonContext.Default.AgentMessage)
                ?? throw new IOException($"{Peer}: an empty message");
        }
        catch (JsonException e)
        {
            throw new IOException($"{Peer}: not a sluice bench agent message: {Truncate(line)}", e);
        }
    }

    /// <summary>The next raw line.</summary>
    /// <exception cref="IOException">The connection closed.</exception>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken) =>
        await _reader.ReadLineAsync(cancellationToken) ?? throw new IOException($"{Peer} closed the connection");

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
        _tcp.Dispose();
        _sending.Dispose();
    }

    private async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    private static string Truncate(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
