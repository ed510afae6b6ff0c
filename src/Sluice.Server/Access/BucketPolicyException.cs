namespace Sluice.Server.Access;

/// <summary>
/// A bucket policy document S3 would refuse: <see cref="Code"/> is the S3 error code (MalformedPolicy, or
/// PolicyTooLarge past <see cref="BucketPolicy.MaxDocumentBytes"/>) and the message is the one S3 answers with.
/// </summary>
public sealed class BucketPolicyException : Exception
{
    public BucketPolicyException(string message, string code = MalformedPolicy)
        : base(message)
    {
        Code = code;
    }

    public const string MalformedPolicy = nameof(MalformedPolicy);
    public const string PolicyTooLarge = nameof(PolicyTooLarge);

    /// <summary>The S3 error code to answer with.</summary>
    public string Code { get; }
}
