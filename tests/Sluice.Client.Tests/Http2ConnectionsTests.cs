using System.Security.Cryptography;
using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>
/// HTTP/2 beyond one connection: Kestrel allows 100 streams per connection (MAX_CONCURRENT_STREAMS), so more requests
/// in flight than that must open another connection instead of queueing behind the first.
/// </summary>
public class Http2ConnectionsTests
{
    [Theory]
    [InlineData(ClientTestServer.H2c)]
    [InlineData(ClientTestServer.H2)]
    public async Task More_streams_in_flight_than_one_connection_allows_open_more_connections_and_all_succeed(string protocol)
    {
        const int Uploads = 130;
        const int Size = 40_000;
        await using var server = await ClientTestServer.StartAsync(protocol: protocol);
        await using var client = server.CreateClient();
        await client.CreateBucketAsync("many");
        Assert.Equal(1, client.ConnectionsOpened);

        // Every upload holds its body until all of them have been asked for their first bytes, i.e. until all are
        // open streams at once: 130 > 100 is only possible on more than one connection. (On one connection the 101st
        // would never start and the gate would never open: the bounded wait below turns that into a failure.)
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        void Started()
        {
            if (Interlocked.Increment(ref started) == Uploads)
            {
                allStarted.TrySetResult();
            }
        }

        byte[][] payloads = [.. Enumerable.Range(0, Uploads).Select(_ => RandomNumberGenerator.GetBytes(Size))];
        Task[] uploads = [.. Enumerable.Range(0, Uploads).Select(i => client.PutObjectAsync(new PutObjectRequest("many", $"k{i}"),
            new GatedStream(payloads[i], Started, allStarted.Task), Size))];
        await allStarted.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await Task.WhenAll(uploads);

        // 130 streams at once need two connections of 100; the handler may open a spare while one is being set up.
        Assert.InRange(client.ConnectionsOpened, 2, 4);
        for (int i = 0; i < Uploads; i++)
        {
            Assert.Equal(payloads[i], await client.GetObjectBytesAsync("many", $"k{i}"));
        }

        server.AssertProtocol(client);
    }

    /// <summary>A forward-only body that reports its first read, then waits for a gate before giving any bytes.</summary>
    private sealed class GatedStream(byte[] data, Action started, Task gate) : Stream
    {
        private int _position;
        private bool _reported;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_reported)
            {
                _reported = true;
                started();
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            int n = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
