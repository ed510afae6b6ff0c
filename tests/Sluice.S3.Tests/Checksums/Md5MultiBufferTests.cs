using Sluice.S3.Checksums;

namespace Sluice.S3.Tests.Checksums;

/// <summary>
/// The multi-buffer MD5 (<see cref="Md5x8"/>, its scalar fallback, and the <see cref="Md5LaneHasher"/> service)
/// against RFC 1321's test suite and against the platform's MD5 on random data, lane by lane.
/// </summary>
public class Md5MultiBufferTests
{
    // RFC 1321 appendix A.5.
    public static TheoryData<string, string> Rfc1321 => new()
    {
        { "", "d41d8cd98f00b204e9800998ecf8427e" },
        { "a", "0cc175b9c0f1b6a831c399e269772661" },
        { "abc", "900150983cd24fb0d6963f7d28e17f72" },
        { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
        { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
        { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f" },
        { "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a" },
    };

    public static TheoryData<bool> Kernels => new() { true, false };

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>The platform's MD5 (OpenSSL here), the reference every result is checked against.</summary>
    private static string Reference(byte[] data)
    {
        var hash = new byte[16];
        Md5Digest.HashData(data, hash);
        return Hex(hash);
    }

    private static byte[] Random(int seed, int length)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rfc1321))]
    public void Scalar_block_function_matches_rfc1321(string input, string expected)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(input);
        var state = Md5State.Initial;
        int whole = data.Length / 64 * 64;
        Md5Block.Compress(ref state, data.AsSpan(0, whole));
        Span<byte> digest = stackalloc byte[16];
        Md5Block.Finish(state, data.AsSpan(whole), data.Length, digest);
        Assert.Equal(expected, Hex(digest));
    }

    [Theory]
    [MemberData(nameof(Rfc1321))]
    public void Lane_digest_matches_rfc1321_fed_byte_by_byte(string input, string expected)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(input);
        var hasher = new Md5LaneHasher(vectorized: true, manual: true);
        using var digest = hasher.Rent();
        foreach (byte b in data) digest.Append([b]);
        Span<byte> hash = stackalloc byte[16];
        digest.Finish(hash);
        Assert.Equal(expected, Hex(hash));
        Assert.Equal(0, digest.Length); // Finish starts over
    }

    [Fact]
    public void Vector_kernel_runs_on_this_machine()
    {
        // The benchmarks and the server assume AVX2 here; if this fails, the vector tests below test the fallback.
        Assert.True(Md5x8.IsVectorized);
    }

    /// <summary>
    /// Each of the eight lanes carries the RFC 1321 message of the same index (the eighth repeats the first) padded
    /// by hand, so every lane's digest comes out of one kernel pass of its own last blocks.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public unsafe void Kernel_computes_rfc1321_vectors_in_all_lanes_at_once(bool vectorized)
    {
        var cases = Rfc1321.Select(row => ((string)row[0], (string)row[1])).ToArray();
        var padded = new byte[Md5x8.Lanes][];
        var states = default(Md5x8State);
        for (int lane = 0; lane < Md5x8.Lanes; lane++)
        {
            byte[] message = System.Text.Encoding.ASCII.GetBytes(cases[lane % cases.Length].Item1);
            int length = (message.Length + 1 + 8 + 63) / 64 * 64;
            padded[lane] = new byte[2 * 64]; // every lane reads two blocks; a one-block message's second is unused
            message.CopyTo(padded[lane], 0);
            padded[lane][message.Length] = 0x80;
            BitConverter.TryWriteBytes(padded[lane].AsSpan(length - 8), (ulong)message.Length * 8);
            Md5x8.SetLane(ref states, lane, Md5State.Initial);
        }
        var pointers = default(Md5LanePointers);
        fixed (byte* p0 = padded[0], p1 = padded[1], p2 = padded[2], p3 = padded[3], p4 = padded[4], p5 = padded[5], p6 = padded[6], p7 = padded[7])
        {
            byte*[] all = [p0, p1, p2, p3, p4, p5, p6, p7];
            // One-block messages first (lanes whose message pads to two blocks idle), then the two-block ones.
            var snapshot = new Md5State[Md5x8.Lanes];
            for (int lane = 0; lane < Md5x8.Lanes; lane++)
                pointers[lane] = (nint)all[lane];
            Md5x8.Compress(ref states, pointers, 1, vectorized);
            for (int lane = 0; lane < Md5x8.Lanes; lane++)
                snapshot[lane] = Md5x8.GetLane(states, lane);
            for (int lane = 0; lane < Md5x8.Lanes; lane++)
                pointers[lane] = NeedsTwoBlocks(lane) ? (nint)(all[lane] + 64) : 0;
            Md5x8.Compress(ref states, pointers, 1, vectorized);
            Span<byte> digest = stackalloc byte[16];
            for (int lane = 0; lane < Md5x8.Lanes; lane++)
            {
                var state = NeedsTwoBlocks(lane) ? Md5x8.GetLane(states, lane) : snapshot[lane];
                state.WriteDigest(digest);
                Assert.Equal(cases[lane % cases.Length].Item2, Hex(digest));
            }
        }

        bool NeedsTwoBlocks(int lane) => cases[lane % cases.Length].Item1.Length + 9 > 64;
    }

    /// <summary>
    /// Streams of different lengths go through the kernel lane by lane as the service uses it: a pass runs as many
    /// blocks as the shortest busy lane has left, a lane whose stream ends takes the next stream (lanes joining and
    /// leaving), idle lanes at the end; each digest is checked against the platform's MD5.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public unsafe void Kernel_matches_platform_md5_with_lanes_joining_and_leaving(bool vectorized)
    {
        const int Streams = 29;
        var rng = new Random(1321);
        var data = new byte[Streams][];
        for (int i = 0; i < Streams; i++) data[i] = Random(i, rng.Next(0, 300) * 64 + rng.Next(0, 64));
        var handles = data.Select(d => System.Runtime.InteropServices.GCHandle.Alloc(d, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var states = default(Md5x8State);
            var pointers = default(Md5LanePointers);
            var lanes = new int[Md5x8.Lanes];
            var done = new long[Streams];
            Array.Fill(lanes, -1);
            int next = 0, finished = 0;
            Span<byte> digest = stackalloc byte[16];
            while (finished < Streams)
            {
                long run = long.MaxValue;
                for (int lane = 0; lane < Md5x8.Lanes; lane++)
                {
                    if (lanes[lane] < 0 && next < Streams)
                    {
                        lanes[lane] = next++;
                        Md5x8.SetLane(ref states, lane, Md5State.Initial);
                    }
                    int s = lanes[lane];
                    if (s < 0)
                    {
                        pointers[lane] = 0;
                        continue;
                    }
                    long left = data[s].Length / 64 - done[s];
                    if (left == 0)
                    {
                        var state = Md5x8.GetLane(states, lane);
                        Md5Block.Finish(state, data[s].AsSpan(data[s].Length / 64 * 64), data[s].Length, digest);
                        Assert.Equal(Reference(data[s]), Hex(digest));
                        lanes[lane] = -1;
                        finished++;
                        lane--; // the lane takes the next stream at once
                        continue;
                    }
                    pointers[lane] = handles[s].AddrOfPinnedObject() + (nint)(done[s] * 64);
                    run = Math.Min(run, left);
                }
                if (run == long.MaxValue) continue;
                Md5x8.Compress(ref states, pointers, (int)Math.Min(run, 37), vectorized); // odd pass sizes on purpose
                for (int lane = 0; lane < Md5x8.Lanes; lane++)
                    if (lanes[lane] >= 0) done[lanes[lane]] += Math.Min(run, 37);
            }
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
    }

    /// <summary>
    /// Twelve bodies through the service at once, each cut into chunks of its own irregular sizes (tiny, not a block
    /// multiple, large), the worker run by the test so that the bodies provably shared passes; every body's digest
    /// equals the platform's MD5 of its bytes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public async Task Service_hashes_concurrent_bodies_exactly(bool vectorized)
    {
        var hasher = new Md5LaneHasher(vectorized, manual: true);
        const int Bodies = 12;
        var rng = new Random(7);
        var data = new byte[Bodies][];
        var chunks = new List<int>[Bodies];
        for (int i = 0; i < Bodies; i++)
        {
            data[i] = Random(100 + i, rng.Next(0, 200_000));
            chunks[i] = [];
            for (int at = 0; at < data[i].Length;)
            {
                int size = Math.Min(data[i].Length - at, rng.Next(4) switch { 0 => rng.Next(1, 64), 1 => rng.Next(64, 2000), _ => rng.Next(2000, 40_000) });
                chunks[i].Add(size);
                at += size;
            }
        }
        var digests = Enumerable.Range(0, Bodies).Select(_ => hasher.Rent()).ToArray();
        Assert.Equal(Bodies, hasher.ActiveStreams);
        var offsets = new int[Bodies];
        var chunkIndex = new int[Bodies];
        // Round after round: every body with bytes left submits its next chunk, then the worker runs them all.
        while (true)
        {
            var pending = new List<Task>();
            for (int i = 0; i < Bodies; i++)
            {
                if (chunkIndex[i] == chunks[i].Count) continue;
                int size = chunks[i][chunkIndex[i]++];
                pending.Add(digests[i].AppendAsync(data[i].AsMemory(offsets[i], size)).AsTask());
                offsets[i] += size;
            }
            if (pending.Count == 0) break;
            hasher.RunPending();
            await Task.WhenAll(pending); // completions run their continuations on the thread pool
        }
        Assert.True(hasher.SharedPasses > 0);
        var hash = new byte[16];
        for (int i = 0; i < Bodies; i++)
        {
            Assert.Equal(data[i].Length, digests[i].Length);
            digests[i].Finish(hash);
            Assert.Equal(Reference(data[i]), Hex(hash));
            digests[i].Dispose();
        }
        Assert.Equal(0, hasher.ActiveStreams);
    }

    /// <summary>The shared service with its real worker on the thread pool: bodies joining and leaving at their own pace.</summary>
    [Fact]
    public async Task Shared_service_hashes_bodies_fed_from_many_threads()
    {
        const int Bodies = 16;
        var results = await Task.WhenAll(Enumerable.Range(0, Bodies).Select(i => Task.Run(async () =>
        {
            var data = Random(500 + i, 50_000 + i * 37_777);
            var rng = new Random(i);
            using var digest = Md5LaneHasher.Shared.Rent();
            for (int at = 0; at < data.Length;)
            {
                int size = Math.Min(data.Length - at, rng.Next(1, 70_000));
                if (rng.Next(5) == 0) digest.Append(data.AsSpan(at, size));
                else await digest.AppendAsync(data.AsMemory(at, size));
                at += size;
            }
            var hash = new byte[16];
            digest.Finish(hash);
            return (Hex(hash), Reference(data));
        })));
        foreach (var (actual, expected) in results) Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_second_append_before_the_first_completes_is_refused()
    {
        var hasher = new Md5LaneHasher(vectorized: true, manual: true);
        using var digest = hasher.Rent();
        var data = Random(3, 64 * 1024);
        var first = digest.AppendAsync(data).AsTask();
        Assert.False(first.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => digest.Append(data));
        hasher.RunPending();
        await first;
        var hash = new byte[16];
        digest.Finish(hash);
        Assert.Equal(Reference(data), Hex(hash));
    }

    [Fact]
    public async Task A_digest_disposed_with_a_chunk_in_its_lane_is_never_handed_out_again()
    {
        var hasher = new Md5LaneHasher(vectorized: true, manual: true);
        var abandoned = hasher.Rent();
        var data = Random(4, 64 * 1024);
        var inFlight = abandoned.AppendAsync(data).AsTask();
        abandoned.Dispose(); // a caller's bug: the chunk is still queued
        Assert.Equal(0, hasher.ActiveStreams);
        using var next = hasher.Rent();
        Assert.NotSame(abandoned, next);
        var other = Random(5, 96 * 1024);
        var second = next.AppendAsync(other).AsTask();
        hasher.RunPending(); // the worker still finishes the abandoned chunk, beside the new one
        await Task.WhenAll(inFlight, second);
        var hash = new byte[16];
        next.Finish(hash);
        Assert.Equal(Reference(other), Hex(hash));
        Assert.Throws<ObjectDisposedException>(() => abandoned.Append(data));
    }
}
