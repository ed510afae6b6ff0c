using System.Diagnostics.CodeAnalysis;

namespace Sluice.S3.Auth;

/// <summary>Resolves an access key id (raw bytes from the request) to its credential; must not allocate on hits.</summary>
public interface ISigV4CredentialProvider
{
    /// <summary>True and the credential when <paramref name="accessKeyId"/> is known.</summary>
    bool TryGetCredential(ReadOnlySpan<byte> accessKeyId, [NotNullWhen(true)] out SigV4Credential? credential);
}
