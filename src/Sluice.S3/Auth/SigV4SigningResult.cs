using System.Diagnostics.CodeAnalysis;

namespace Sluice.S3.Auth;

/// <summary>A header signature: the <c>Authorization</c> value plus what a chunk signer needs to chain from it.</summary>
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types",
    Justification = "A result record; nobody compares results.")]
public readonly struct SigV4SigningResult
{
    private readonly InlineBytes32 _signature;
    private readonly InlineBytes16 _timestamp;

    internal SigV4SigningResult(string authorization, SigV4SigningKey signingKey, ReadOnlySpan<byte> timestamp,
        ReadOnlySpan<byte> signature)
    {
        Authorization = authorization;
        SigningKey = signingKey;
        timestamp.CopyTo(_timestamp);
        signature.CopyTo(_signature);
    }

    /// <summary>The <c>Authorization</c> header value.</summary>
    public string Authorization { get; }

    /// <summary>The signing key and scope used.</summary>
    public SigV4SigningKey SigningKey { get; }

    /// <summary>The signature (32 raw bytes), the seed for chunk signatures.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The signed timestamp (<c>yyyyMMddTHHmmssZ</c>, ASCII).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Timestamp => _timestamp;

    /// <summary>The signature as lowercase hex.</summary>
    public string SignatureHex => Convert.ToHexStringLower(Signature);
}
