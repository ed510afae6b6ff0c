using System.Net;
using System.Security.Cryptography;
using Sluice.Client.Model;
using Sluice.Client.Retry;
using Sluice.Server;

namespace Sluice.Client.Tests;

/// <summary>
/// The server going away under HTTP/2 uploads (issue 14): the Kestrel front's graceful stop sends GOAWAY with
/// requests in flight. Those must finish (the server drains them) and be stored; a request made after the GOAWAY
/// either succeeds for real or fails, never a success the server did not store; a stop that cannot wait aborts the
/// uploads in flight, and each then fails in the caller, none reported done. Every claim is checked against the
/// store by restarting the server on the same directory.
/// </summary>
public sealed class Http2GoAwayTests
{
    private const int Uploads = 8;
    private const int GateAt = 1024 * 1024;
    private const int Size = 4 * 1024 * 1024;

    [Fact]
    public async Task A_graceful_stop_sends_goaway_and_the_uploads_in_flight_finish_and_are_stored()
    {
        string directory = NewDirectory();
        try
        {
            // A long grace: the stop returns as soon as the streams end; the grace only bounds a hang.
            SluiceServer server = await StartAsync(directory, TimeSpan.FromMinutes(2));
            await using var relay = new GoAwaySniffingRelay(new IPEndPoint(IPAddress.Loopback, server.Http2Endpoint!.Port));
            await using var client = new S3Client(Options(relay.Endpoint));
            await client.CreateBucketAsync("away");

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            byte[][] data = new byte[Uploads][];
            var streams = new GatedStream[Uploads];
            var puts = new Task<PutObjectResponse>[Uploads];
            for (int i = 0; i < Uploads; i++)
            {
                data[i] = RandomNumberGenerator.GetBytes(Size);
                streams[i] = new GatedStream(data[i], GateAt, gate.Task);
                puts[i] = client.PutObjectAsync(new PutObjectRequest("away", $"k{i}"), streams[i], Size);
            }

            // Every upload is in the middle of its body on the one HTTP/2 connection when the server starts to stop.
            await Task.WhenAll(streams.Select(s => s.Reached));
            Task stop = server.StopAsync();
            await relay.GoAwaySeen.WaitAsync(TimeSpan.FromMinutes(2)); // a hang guard, not a timing assumption

            // A request after the GOAWAY: the client must not put it on the departing connection as if it were alive.
            byte[] lateData = RandomNumberGenerator.GetBytes(100_000);
            Task<PutObjectResponse> late = client.PutObjectAsync(new PutObjectRequest("away", "late"), lateData);

            gate.SetResult();
            PutObjectResponse[] done = await Task.WhenAll(puts);
            await stop;
            Exception? lateError = null;
            try
            {
                await late;
            }
            catch (Exception e)
            {
                lateError = e;
            }

            await using var restarted = await StartAsync(directory, TimeSpan.FromSeconds(10));
            await using var check = new S3Client(new S3ClientOptions
            {
                Endpoint = restarted.Endpoint,
                AccessKeyId = ClientTestServer.AccessKey,
                SecretAccessKey = ClientTestServer.Secret,
            });
            for (int i = 0; i < Uploads; i++)
            {
                Assert.Equal(data[i], await check.GetObjectBytesAsync("away", $"k{i}"));
                Assert.Equal(done[i].ETag, (await check.HeadObjectAsync("away", $"k{i}")).ETag);
            }

            if (lateError is null)
            {
                Assert.Equal(lateData, await check.GetObjectBytesAsync("away", "late"));
            }
            else
            {
                var missing = await Assert.ThrowsAsync<S3Exception>(() => check.HeadObjectAsync("away", "late"));
                Assert.Equal(404, missing.StatusCode);
            }
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task A_stop_that_cannot_wait_fails_the_uploads_in_flight_and_none_is_reported_done()
    {
        string directory = NewDirectory();
        try
        {
            SluiceServer server = await StartAsync(directory, TimeSpan.Zero);
            await using var relay = new GoAwaySniffingRelay(new IPEndPoint(IPAddress.Loopback, server.Http2Endpoint!.Port));
            await using var client = new S3Client(Options(relay.Endpoint));
            await client.CreateBucketAsync("cut");

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var streams = new GatedStream[4];
            var puts = new Task<PutObjectResponse>[streams.Length];
            for (int i = 0; i < streams.Length; i++)
            {
                streams[i] = new GatedStream(RandomNumberGenerator.GetBytes(Size), GateAt, gate.Task);
                puts[i] = client.PutObjectAsync(new PutObjectRequest("cut", $"k{i}"), streams[i], Size);
            }

            await Task.WhenAll(streams.Select(s => s.Reached));
            await server.StopAsync(); // no grace: the streams in flight are aborted
            gate.SetResult();
            foreach (Task<PutObjectResponse> put in puts)
            {
                // Retried (the stream seeks) onto a new connection, which the stopped server refuses: an error, not a success.
                await Assert.ThrowsAnyAsync<Exception>(() => put);
            }

            await using var restarted = await StartAsync(directory, TimeSpan.FromSeconds(10));
            await using var check = new S3Client(new S3ClientOptions
            {
                Endpoint = restarted.Endpoint,
                AccessKeyId = ClientTestServer.AccessKey,
                SecretAccessKey = ClientTestServer.Secret,
            });
            for (int i = 0; i < streams.Length; i++)
            {
                var missing = await Assert.ThrowsAsync<S3Exception>(() => check.HeadObjectAsync("cut", $"k{i}"));
                Assert.Equal(404, missing.StatusCode);
            }
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    private static S3ClientOptions Options(Uri endpoint) => new()
    {
        Endpoint = endpoint,
        AccessKeyId = ClientTestServer.AccessKey,
        SecretAccessKey = ClientTestServer.Secret,
        Protocol = HttpProtocol.Http2,
        Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) },
    };

    private static Task<SluiceServer> StartAsync(string directory, TimeSpan grace) => SluiceServer.StartAsync(new SluiceServerOptions
    {
        DataDirectory = directory,
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        ListenHttp2 = new IPEndPoint(IPAddress.Loopback, 0),
        Credentials = new Dictionary<string, string> { [ClientTestServer.AccessKey] = ClientTestServer.Secret },
        Reactors = 1,
        ShutdownGrace = grace,
    });

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "sluice-goaway-" + Guid.NewGuid().ToString("N"));

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A seekable body that stops at <c>gateAt</c> bytes on its first pass until <c>gate</c> opens, and
    /// reports when it got there.</summary>
    private sealed class GatedStream(byte[] data, int gateAt, Task gate) : Stream
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _position;

        public Task Reached => _reached.Task;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == gateAt && !gate.IsCompleted)
            {
                _reached.TrySetResult();
                await gate.WaitAsync(cancellationToken);
            }

            long end = _position < gateAt ? gateAt : data.Length;
            int n = (int)Math.Min(buffer.Length, end - _position);
            data.AsMemory((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => data.Length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
