using System.Text;

namespace Sluice.S3.Auth;

/// <summary>
/// A derived SigV4 signing key with the credential scope it belongs to
/// (<c>yyyyMMdd/region/service/aws4_request</c>). Immutable; shared through <see cref="SigningKeyCache"/>.
/// </summary>
public sealed class SigV4SigningKey
{
    private readonly byte[] _key;
    private readonly byte[] _scope;

    private SigV4SigningKey(byte[] key, byte[] scope)
    {
        _key = key;
        _scope = scope;
        Scope = Encoding.UTF8.GetString(scope);
    }

    /// <summary>The 32-byte HMAC key.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The credential scope as UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> ScopeUtf8 => _scope;

    /// <summary>The credential scope, e.g. <c>20130524/us-east-1/s3/aws4_request</c>.</summary>
    public string Scope { get; }

    /// <summary>The scope's <c>yyyyMMdd</c> date.</summary>
    internal ReadOnlySpan<byte> Date => _scope.AsSpan(0, AmzDate.DateLength);

    /// <summary>Derives the key for <paramref name="secret"/> and scope parts (all UTF-8).</summary>
    public static SigV4SigningKey Derive(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> date, ReadOnlySpan<byte> region,
        ReadOnlySpan<byte> service)
    {
        if (date.Length != AmzDate.DateLength)
        {
            throw new ArgumentException("The scope date must be yyyyMMdd.", nameof(date));
        }

        int scopeLength = date.Length + region.Length + service.Length + SigV4Algorithm.Terminator.Length + 3;
        if (scopeLength > SigV4Algorithm.MaxScopeLength)
        {
            throw new ArgumentException("The credential scope is too long.", nameof(region));
        }

        byte[] key = new byte[SigV4Algorithm.HashLength];
        SigV4Algorithm.DeriveSigningKey(secret, date, region, service, key);
        byte[] scope = new byte[scopeLength];
        int n = Append(scope, 0, date);
        n = Append(scope, n, region);
        n = Append(scope, n, service);
        Append(scope, n, SigV4Algorithm.Terminator);
        return new SigV4SigningKey(key, scope);
    }

    private static int Append(byte[] scope, int offset, ReadOnlySpan<byte> part)
    {
        if (offset > 0)
        {
            scope[offset++] = (byte)'/';
        }

        part.CopyTo(scope.AsSpan(offset));
        return offset + part.Length;
    }
}
