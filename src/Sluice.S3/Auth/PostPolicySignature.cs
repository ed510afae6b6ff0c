using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.S3.Auth;

/// <summary>
/// The signature of a browser-form (POST object) upload: the form's base64 <c>policy</c> field signed as is — SigV4's
/// <c>x-amz-signature</c> is hex HMAC-SHA256 with the scope's signing key (from <c>x-amz-credential</c>), SigV2's
/// <c>signature</c> base64 HMAC-SHA1 with the secret. The client signs with these; the server verifies (constant time).
/// </summary>
public static class PostPolicySignature
{
    /// <summary>SigV4: lower-case hex HMAC-SHA256 of <paramref name="base64Policy"/> under the key for the scope.</summary>
    public static string SignV4(string secretAccessKey, string scopeDate, string region, string service, string base64Policy)
    {
        ArgumentNullException.ThrowIfNull(secretAccessKey);
        ArgumentNullException.ThrowIfNull(base64Policy);
        var key = SigV4SigningKey.Derive(Encoding.UTF8.GetBytes(secretAccessKey), Encoding.ASCII.GetBytes(scopeDate),
            Encoding.UTF8.GetBytes(region), Encoding.UTF8.GetBytes(service));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key.Key, Encoding.ASCII.GetBytes(base64Policy)));
    }

    /// <summary>SigV2: base64 HMAC-SHA1 of <paramref name="base64Policy"/> under the secret.</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "SigV2 is defined as HMAC-SHA1.")]
    public static string SignV2(string secretAccessKey, string base64Policy)
    {
        ArgumentNullException.ThrowIfNull(secretAccessKey);
        ArgumentNullException.ThrowIfNull(base64Policy);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretAccessKey), Encoding.ASCII.GetBytes(base64Policy)));
    }

    /// <summary>True when <paramref name="signatureHex"/> is <paramref name="credential"/>'s SigV4 signature of the policy.</summary>
    public static bool VerifyV4(SigV4Credential credential, string scopeDate, string region, string service, string base64Policy,
        string signatureHex)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(base64Policy);
        ArgumentNullException.ThrowIfNull(signatureHex);
        if (scopeDate.Length != AmzDate.DateLength || region.Length == 0 || service.Length == 0) return false;
        var key = SigV4SigningKey.Derive(credential.SecretUtf8, Encoding.ASCII.GetBytes(scopeDate), Encoding.UTF8.GetBytes(region),
            Encoding.UTF8.GetBytes(service));
        byte[] computed = HMACSHA256.HashData(key.Key, Encoding.UTF8.GetBytes(base64Policy));
        byte[] claimed = Encoding.ASCII.GetBytes(signatureHex);
        Span<byte> expected = stackalloc byte[64];
        HexEncoding.EncodeLower(computed, expected);
        return CryptographicOperations.FixedTimeEquals(expected, claimed);
    }

    /// <summary>True when <paramref name="signatureBase64"/> is <paramref name="credential"/>'s SigV2 signature of the policy.</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "SigV2 is defined as HMAC-SHA1.")]
    public static bool VerifyV2(SigV4Credential credential, string base64Policy, string signatureBase64)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(base64Policy);
        ArgumentNullException.ThrowIfNull(signatureBase64);
        byte[] computed = HMACSHA1.HashData(credential.SecretUtf8, Encoding.UTF8.GetBytes(base64Policy));
        Span<byte> claimed = stackalloc byte[32];
        return Convert.TryFromBase64String(signatureBase64, claimed, out int n) && n == computed.Length
            && CryptographicOperations.FixedTimeEquals(computed, claimed[..n]);
    }
}
