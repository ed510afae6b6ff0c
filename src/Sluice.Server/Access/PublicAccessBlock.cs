using Sluice.S3.Xml;

namespace Sluice.Server.Access;

/// <summary>
/// A bucket's public access block as the authorization stage applies it (S3's "Blocking public access to your Amazon
/// S3 storage"): <see cref="BlockPublicAcls"/> refuses requests that set a public ACL, <see cref="IgnorePublicAcls"/>
/// judges as if ACLs had no public grants, <see cref="BlockPublicPolicy"/> refuses a public bucket policy, and
/// <see cref="RestrictPublicBuckets"/> makes a public policy grant only the bucket owner's account. Immutable.
/// </summary>
public sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    /// <summary>Reads the stored PublicAccessBlockConfiguration document; a damaged one throws
    /// <see cref="FormatException"/> (the caller denies access until it is fixed).</summary>
    public static PublicAccessBlock Parse(byte[] document)
    {
        var read = PublicAccessBlockConfiguration.Read(document);
        if (!read.IsSuccess) throw new FormatException("damaged public access block document");
        return Of(read.Value!);
    }

    public static PublicAccessBlock Of(PublicAccessBlockConfiguration c) =>
        new(c.BlockPublicAcls, c.IgnorePublicAcls, c.BlockPublicPolicy, c.RestrictPublicBuckets);
}
