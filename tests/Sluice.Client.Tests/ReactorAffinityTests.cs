using System.Security.Cryptography;
using Sluice.Client.Model;

namespace Sluice.Client.Tests;

/// <summary>
/// With io_uring, plain-HTTP exchanges into memory run on the connection's reactor, but caller code never does:
/// the awaiting caller resumes off the reactor (success and error), and a caller's Stream sink is written from
/// elsewhere too. Awaited from Task.Run so no test SynchronizationContext hides where continuations run.
/// </summary>
public class ReactorAffinityTests
{
    private static bool OnReactor => Thread.CurrentThread.Name?.StartsWith("sluice-reactor", StringComparison.Ordinal) == true;

    [Fact]
    public async Task Callers_and_their_sinks_never_run_on_a_reactor()
    {
        await using var server = await ClientTestServer.StartAsync();
        await using var client = server.CreateClient(engine: "uring");
        await client.CreateBucketAsync("affinity");
        byte[] payload = RandomNumberGenerator.GetBytes(200_000);
        await client.PutObjectAsync(new PutObjectRequest("affinity", "k"), payload);

        var seen = await Task.Run(async () =>
        {
            var threads = new List<bool>();
            byte[] target = new byte[payload.Length];
            for (int i = 0; i < 20; i++)
            {
                var got = await client.GetObjectAsync(new GetObjectRequest("affinity", "k"), target).ConfigureAwait(false);
                Assert.Equal(payload.Length, got.ContentLength);
                threads.Add(OnReactor);
                await client.HeadObjectAsync(new GetObjectRequest("affinity", "k")).ConfigureAwait(false);
                threads.Add(OnReactor);
                await Assert.ThrowsAsync<S3Exception>(() => client.HeadObjectAsync(new GetObjectRequest("affinity", "missing"))).ConfigureAwait(false);
                threads.Add(OnReactor);
            }

            Assert.Equal(payload, target);
            using var sink = new ThreadRecordingStream();
            await client.GetObjectAsync(new GetObjectRequest("affinity", "k"), sink).ConfigureAwait(false);
            threads.Add(OnReactor);
            Assert.Equal(payload.Length, sink.Length);
            Assert.True(sink.Writes > 0);
            threads.Add(sink.WroteOnReactor);
            return threads;
        });

        Assert.DoesNotContain(true, seen);
    }

    private sealed class ThreadRecordingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public bool WroteOnReactor { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            WroteOnReactor |= OnReactor;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
