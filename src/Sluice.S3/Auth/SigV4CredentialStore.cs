using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sluice.S3.Auth;

/// <summary>A thread-safe in-memory <see cref="ISigV4CredentialProvider"/>; lookups by request bytes do not allocate.</summary>
public sealed class SigV4CredentialStore : ISigV4CredentialProvider
{
    /// <summary>Access key ids are short ASCII; anything longer cannot match.</summary>
    private const int MaxAccessKeyLength = 128;

    private readonly ConcurrentDictionary<string, SigV4Credential> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SigV4Credential>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates an empty store.</summary>
    public SigV4CredentialStore() => _lookup = _byKey.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Adds or replaces a credential.</summary>
    public void Add(SigV4Credential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _byKey[credential.AccessKeyId] = credential;
    }

    /// <summary>Removes a credential; true when it existed.</summary>
    public bool Remove(string accessKeyId) => _byKey.TryRemove(accessKeyId, out _);

    /// <inheritdoc/>
    public bool TryGetCredential(ReadOnlySpan<byte> accessKeyId, [NotNullWhen(true)] out SigV4Credential? credential)
    {
        credential = null;
        if (accessKeyId.IsEmpty || accessKeyId.Length > MaxAccessKeyLength || !Ascii.IsValid(accessKeyId))
        {
            return false;
        }

        Span<char> chars = stackalloc char[accessKeyId.Length];
        Ascii.ToUtf16(accessKeyId, chars, out _);
        return _lookup.TryGetValue(chars, out credential);
    }
}
