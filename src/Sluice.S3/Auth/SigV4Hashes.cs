using System.Security.Cryptography;

namespace Sluice.S3.Auth;

/// <summary>
/// SHA-256 and HMAC-SHA256 for signing and verifying, on per-thread reusable OpenSSL contexts. The one-shot
/// <c>SHA256.HashData</c> / <c>HMACSHA256.HashData</c> create, key and free a context on every call, which cost a
/// signed small GET more than the hashing itself (docs/server.md); a reset context skips that, and an HMAC context
/// stays keyed with the last signing key (one per credential and day, so nearly always the same).
/// </summary>
internal static class SigV4Hashes
{
    [ThreadStatic] private static IncrementalHash? t_sha256;
    [ThreadStatic] private static KeyedHmac? t_hmac;

    /// <summary>SHA-256 of <paramref name="data"/> into <paramref name="hash"/> (32 bytes).</summary>
    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        var h = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(data);
        h.GetHashAndReset(hash);
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/> into <paramref name="mac"/> (32 bytes).</summary>
    public static void HmacSha256(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var keyed = t_hmac;
        if (keyed == null || !key.SequenceEqual(keyed.Key))
        {
            keyed?.Hash.Dispose();
            t_hmac = keyed = new KeyedHmac(key.ToArray(), IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        }
        keyed.Hash.AppendData(data);
        keyed.Hash.GetHashAndReset(mac);
    }

    private sealed record KeyedHmac(byte[] Key, IncrementalHash Hash);
}
