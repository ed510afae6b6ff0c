using System.Security.Cryptography;
using Sluice.S3.Auth;

namespace Sluice.S3.Tests.Auth;

/// <summary>The reused per-thread hash contexts give exactly the one-shot results, across key changes and threads.</summary>
public class SigV4HashesTests
{
    [Fact]
    public async Task Reused_contexts_match_the_one_shot_functions_for_alternating_keys_and_lengths()
    {
        var keys = new[] { RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(7) };
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            Span<byte> actual = stackalloc byte[32], expected = stackalloc byte[32];
            for (int i = 0; i < 300; i++)
            {
                byte[] data = new byte[random.Next(0, 2000)];
                random.NextBytes(data);
                byte[] key = keys[random.Next(keys.Length)];
                SigV4Hashes.HmacSha256(key, data, actual);
                HMACSHA256.HashData(key, data, expected);
                Assert.True(actual.SequenceEqual(expected), $"HMAC differs at {i}");
                SigV4Hashes.Sha256(data, actual);
                SHA256.HashData(data, expected);
                Assert.True(actual.SequenceEqual(expected), $"SHA-256 differs at {i}");
            }
        })));
    }
}
