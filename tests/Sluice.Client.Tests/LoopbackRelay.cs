using System.Net;
using System.Net.Sockets;

namespace Sluice.Client.Tests;

/// <summary>
/// The plumbing of the tests' TCP relays on 127.0.0.1: a listener, an accept loop that hands each connection to
/// <see cref="HandleAsync"/>, and a dispose that stops accepting and awaits every connection it started (no relay
/// outlives its test).
/// </summary>
internal abstract class LoopbackRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Task _accept;
    private int _connections;

    protected LoopbackRelay(IPEndPoint upstream)
    {
        Upstream = upstream;
        _listener.Start();
        // Connections arrive only once the test has read Endpoint, after the derived constructor has run.
        _accept = AcceptLoopAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    protected IPEndPoint Upstream { get; }

    /// <summary>Cancelled when the relay is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Relays one accepted connection until either side closes; owns <paramref name="client"/>.</summary>
    protected abstract Task HandleAsync(Socket client);

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            lock (_tasks)
            {
                _tasks.Add(Task.Run(() => HandleAsync(client)));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks);
        _stop.Dispose();
    }
}
