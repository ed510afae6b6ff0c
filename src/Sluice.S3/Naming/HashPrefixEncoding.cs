namespace Sluice.S3.Naming;

/// <summary>How <see cref="KeyNaming"/> spells a hash prefix.</summary>
public enum HashPrefixEncoding
{
    /// <summary>Lowercase hexadecimal: 16 values per character, up to 32 characters (the whole MD5).</summary>
    Hex,

    /// <summary>RFC 4648 §5 base64url without padding: 64 values per character, up to 22 characters.</summary>
    Base64Url,
}
