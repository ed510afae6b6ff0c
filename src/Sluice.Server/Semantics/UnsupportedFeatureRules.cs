using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Routing;

namespace Sluice.Server.Semantics;

/// <summary>
/// Refuses requests whose headers ask for a feature the server does not have: dual-layer SSE-KMS (<c>aws:kms:dsse</c>),
/// the aws-exec-read canned ACL, website redirects, appends (<c>x-amz-write-offset-bytes</c>). (SSE-S3, SSE-KMS and
/// SSE-C headers are the handlers', which encrypt.)
/// Ignoring such a header would answer 200 while storing the object without what the client asked for (single-layer,
/// without the grants), so the request is refused before anything changes: 501 NotImplemented naming the header
/// for a valid value, 400 InvalidArgument for a value S3 itself would refuse. Values the server honours as they
/// are — <c>x-amz-object-ownership</c> (ObjectWriter, BucketOwnerPreferred, BucketOwnerEnforced) — are accepted. Tagging and object lock headers are the
/// handlers' (objects store their tags and their retention; CreateBucket's <c>x-amz-bucket-object-lock-enabled</c>
/// must be true or false), and so are canned ACLs and x-amz-grant-* (buckets and objects store their ACLs).
/// </summary>
/// <remarks>Only headers whose name is not one the handlers read are looked at by name, so a request without any
/// costs one pass over its header table and allocates nothing; strings appear only in a refusal.</remarks>
public static class UnsupportedFeatureRules
{
    private const string MsgNotImplemented = "A header you provided implies functionality that is not implemented.";

    /// <summary>The first reason to refuse <paramref name="operation"/> for its headers, or <c>default</c>. (Whether an
    /// x-amz-expected-bucket-owner names the bucket's real owner is the authorization stage's question.)</summary>
    public static S3Problem Check(S3Operation operation, HttpHeaderTable headers, ReadOnlySpan<byte> buffer)
    {
        var scope = S3OperationTable.Of(operation)?.Headers ?? FeatureHeaderScope.None;
        if (scope == FeatureHeaderScope.None)
        {
            return default;
        }

        foreach (var field in headers.Fields)
        {
            S3Problem p = field.Header == KnownHeader.Unknown
                ? CheckByName(scope, field.Name.Of(buffer), field.Value.Of(buffer))
                : CheckKnown(scope, field.Header, field.Name.Of(buffer), field.Value.Of(buffer));
            if (!p.IsNone)
            {
                return p;
            }
        }

        return default;
    }

    private static S3Problem CheckKnown(FeatureHeaderScope scope, KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        bool objectWrite = scope is FeatureHeaderScope.ObjectWrite or FeatureHeaderScope.ObjectCopy;
        switch (header)
        {
            case KnownHeader.XAmzAcl when objectWrite || scope == FeatureHeaderScope.BucketCreate:
                return CheckCannedAcl(value);
            case KnownHeader.XAmzServerSideEncryption when objectWrite:
                // AES256 (SSE-S3) and aws:kms (SSE-KMS) are the handlers'; dual-layer KMS is not done here.
                return IsAny(value, "AES256"u8, "aws:kms"u8) ? default
                    : value.SequenceEqual("aws:kms:dsse"u8) ? NotImplemented(name)
                    : Invalid("The encryption method specified is not supported", name, value);
            case KnownHeader.XAmzWebsiteRedirectLocation when objectWrite:
            case KnownHeader.XAmzWriteOffsetBytes when objectWrite: // an append: ignoring it would overwrite the object
                return NotImplemented(name);
            default:
                return default;
        }
    }

    private static S3Problem CheckByName(FeatureHeaderScope scope, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (name.Length <= 6 || !Ascii.EqualsIgnoreCase(name[..6], "x-amz-"u8))
        {
            return default;
        }

        // Encryption headers (SSE-C keys, the copy source's SSE-C key, the SSE-KMS key id, context and bucket key) are
        // read and checked by the handlers.
        // Object lock headers (retention mode, date, legal hold) are the handlers', which store them.
        bool objectWrite = scope is FeatureHeaderScope.ObjectWrite or FeatureHeaderScope.ObjectCopy;
        if (scope == FeatureHeaderScope.BucketCreate)
        {
            if (Ascii.EqualsIgnoreCase(name, "x-amz-bucket-object-lock-enabled"u8))
            {
                // true creates the bucket with object lock (the handler's); anything else is not a value.
                return Ascii.EqualsIgnoreCase(value, "false"u8) || Ascii.EqualsIgnoreCase(value, "true"u8) ? default
                    : Invalid("Invalid value for x-amz-bucket-object-lock-enabled.", name, value);
            }

            if (Ascii.EqualsIgnoreCase(name, "x-amz-object-ownership"u8))
            {
                // All three settings are the handler's (stored as the bucket's ownership controls).
                return IsAny(value, "ObjectWriter"u8, "BucketOwnerPreferred"u8, "BucketOwnerEnforced"u8) ? default
                    : Invalid("Invalid x-amz-object-ownership header.", name, value);
            }
        }

        return default;
    }

    /// <summary>
    /// Canned ACLs are the handlers' (S3RequestHandler.Acl.cs) but for aws-exec-read, which grants to EC2 — an account
    /// this server has not — and names S3 does not know (InvalidArgument).
    /// </summary>
    private static S3Problem CheckCannedAcl(ReadOnlySpan<byte> value)
    {
        if (value.SequenceEqual("aws-exec-read"u8)) return NotImplemented("x-amz-acl"u8);
        foreach (string name in Access.AccessControlList.CannedNames)
            if (Ascii.Equals(value, name)) return default;
        return Invalid("Invalid canned ACL.", "x-amz-acl"u8, value);
    }

    private static S3Problem NotImplemented(ReadOnlySpan<byte> header) =>
        S3Problem.Of(S3ErrorCode.NotImplemented, MsgNotImplemented, "Header", Lower(header));

    private static S3Problem Invalid(string message, ReadOnlySpan<byte> header, ReadOnlySpan<byte> value) =>
        S3Problem.InvalidArgument(message, Lower(header), value);

    private static string Lower(ReadOnlySpan<byte> name) => Encoding.ASCII.GetString(name).ToLowerInvariant();

    private static bool StartsWith(ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix) =>
        name.Length >= prefix.Length && Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix);

    private static bool IsAny(ReadOnlySpan<byte> value, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default,
        ReadOnlySpan<byte> d = default) =>
        value.SequenceEqual(a) || value.SequenceEqual(b) || (!c.IsEmpty && value.SequenceEqual(c)) || (!d.IsEmpty && value.SequenceEqual(d));

}
