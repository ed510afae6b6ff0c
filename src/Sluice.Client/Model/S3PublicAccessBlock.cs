namespace Sluice.Client.Model;

/// <summary>A bucket's public access block (Get/PutPublicAccessBlock): S3's four switches.</summary>
public sealed record S3PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets);
