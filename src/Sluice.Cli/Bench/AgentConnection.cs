using System.Net.Sockets;

namespace Sluice.Cli.Bench;

/// <summary>
/// The driver's connection to one agent: connected, greeted (same version), told what to drive, and with the
/// offset between the agent's clock and the driver's estimated from the greeting's round trip, so a start time the
/// driver picks can be given on the agent's own clock.
/// </summary>
internal sealed class AgentConnection : IDisposable
{
    private AgentConnection(string address, int index, AgentChannel channel, long clockOffset)
    {
        Address = address;
        Index = index;
        Channel = channel;
        ClockOffset = clockOffset;
    }

    /// <summary>host:port as given.</summary>
    public string Address { get; }

    /// <summary>The agent's index (its records' agent column).</summary>
    public int Index { get; }

    public AgentChannel Channel { get; }

    /// <summary>The agent's clock minus the driver's, milliseconds.</summary>
    public long ClockOffset { get; }

    /// <summary>Connects to the agent at <paramref name="address"/> and greets it.</summary>
    /// <exception cref="IOException">It cannot be reached, or refused the session (the reason in the message).</exception>
    public static async Task<AgentConnection> ConnectAsync(string address, int index, AgentTarget target, CancellationToken cancellationToken)
    {
        if (!BenchAgent.TryParseAddress(address, out var endPoint)) throw new IOException($"agent {address}: not host:port");
        var tcp = new TcpClient(endPoint!.AddressFamily);
        AgentChannel? channel = null;
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                try
                {
                    await tcp.ConnectAsync(endPoint, timeout.Token);
                }
                catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    throw new IOException($"agent {address}: cannot connect ({(e is SocketException s ? s.SocketErrorCode.ToString() : "timed out")})", e);
                }
            }
            channel = new AgentChannel(tcp, "agent " + address);
            long sent = BenchAgent.Now;
            await channel.SendAsync(new AgentMessage { Type = "hello", Version = BenchAgent.Version, Clock = sent, Agent = index, Target = target },
                cancellationToken);
            var reply = await channel.ReceiveAsync(cancellationToken);
            long received = BenchAgent.Now;
            if (reply.Type == "error") throw new IOException($"agent {address}: {reply.Message}");
            if (reply.Type != "hello" || reply.Clock is not { } clock) throw new IOException($"agent {address}: not a sluice bench agent");
            return new AgentConnection(address, index, channel, clock - (sent + received) / 2);
        }
        catch
        {
            channel?.Dispose();
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>The next message; an error message from the agent becomes an exception.</summary>
    public async Task<AgentMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = await Channel.ReceiveAsync(cancellationToken);
        return message.Type == "error" ? throw new IOException($"agent {Address}: {message.Message}") : message;
    }

    public void Dispose() => Channel.Dispose();
}
