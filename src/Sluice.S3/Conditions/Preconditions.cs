using Sluice.S3.Http;
using Sluice.S3.Objects;

namespace Sluice.S3.Conditions;

/// <summary>
/// Evaluates preconditions in the order of RFC 9110 §13.2.2, which is how S3 documents the combinations
/// (GetObject API reference: If-Match true + If-Unmodified-Since false → 200; If-None-Match false +
/// If-Modified-Since true → 304; CopyObject: the same pairs on x-amz-copy-source-if-* → 200 and 412).
/// </summary>
/// <remarks>
/// A date that is not an IMF-fixdate is ignored (RFC 9110 §13.1.3/§13.1.4: "A recipient MUST ignore ... if the
/// field value is not a valid HTTP-date"). Last-Modified has one-second resolution on the wire, so the stored time is
/// compared truncated to the second. Entity tags are compared strongly for If-Match and weakly for If-None-Match
/// (RFC 9110 §13.1.1, §13.1.2).
/// </remarks>
public static class Preconditions
{
    /// <summary>GET/HEAD of an existing object with <paramref name="etag"/> and <paramref name="lastModified"/>.</summary>
    public static ConditionResult EvaluateRead(in ConditionalHeaders conditions, ReadOnlySpan<byte> etag, DateTimeOffset lastModified) =>
        Evaluate(conditions, etag, lastModified, ConditionResult.NotModified);

    /// <summary>The copy-source conditions of CopyObject / UploadPartCopy: every failure is 412, never 304.</summary>
    public static ConditionResult EvaluateCopySource(in ConditionalHeaders conditions, ReadOnlySpan<byte> etag, DateTimeOffset lastModified) =>
        Evaluate(conditions, etag, lastModified, ConditionResult.PreconditionFailed);

    /// <summary>
    /// Conditional writes (PutObject, CopyObject's destination, CompleteMultipartUpload; Amazon S3 User Guide,
    /// "How to prevent object overwrites with conditional writes"): <c>If-None-Match: *</c> creates only — 412 when
    /// the key exists; S3 accepts no other If-None-Match value on a write ("Expects the '*' (asterisk) character"),
    /// so anything else is NotImplemented. <c>If-Match</c> updates only the object with that ETag — 412 on a
    /// mismatch, NoSuchKey when there is no object.
    /// </summary>
    public static ConditionResult EvaluateWrite(ReadOnlySpan<byte> ifMatch, ReadOnlySpan<byte> ifNoneMatch, bool exists, ReadOnlySpan<byte> currentETag)
    {
        ifNoneMatch = ifNoneMatch.Trim(" \t"u8);
        if (!ifNoneMatch.IsEmpty)
        {
            if (!ifNoneMatch.SequenceEqual("*"u8))
            {
                return ConditionResult.NotImplemented;
            }

            if (exists)
            {
                return ConditionResult.PreconditionFailed;
            }
        }

        if (!ifMatch.IsEmpty)
        {
            if (!exists)
            {
                return ConditionResult.NoSuchKey;
            }

            if (!AnyMatches(ifMatch, currentETag, weak: false))
            {
                return ConditionResult.PreconditionFailed;
            }
        }

        return ConditionResult.Proceed;
    }

    private static ConditionResult Evaluate(in ConditionalHeaders c, ReadOnlySpan<byte> etag, DateTimeOffset lastModified, ConditionResult noneMatchFailure)
    {
        DateTimeOffset modified = TruncateToSecond(lastModified);

        // Steps 1-2: If-Match, else If-Unmodified-Since.
        if (!c.IfMatch.IsEmpty)
        {
            if (!AnyMatches(c.IfMatch, etag, weak: false))
            {
                return ConditionResult.PreconditionFailed;
            }
        }
        else if (TryParseDate(c.IfUnmodifiedSince, out DateTimeOffset unmodifiedSince) && modified > unmodifiedSince)
        {
            return ConditionResult.PreconditionFailed;
        }

        // Steps 3-4: If-None-Match, else If-Modified-Since.
        if (!c.IfNoneMatch.IsEmpty)
        {
            if (AnyMatches(c.IfNoneMatch, etag, weak: true))
            {
                return noneMatchFailure;
            }
        }
        else if (TryParseDate(c.IfModifiedSince, out DateTimeOffset modifiedSince) && modified <= modifiedSince)
        {
            return noneMatchFailure;
        }

        return ConditionResult.Proceed;
    }

    /// <summary>True when the field (<c>*</c> or a comma-separated list of entity tags) matches
    /// <paramref name="etag"/> of an existing representation.</summary>
    public static bool AnyMatches(ReadOnlySpan<byte> field, ReadOnlySpan<byte> etag, bool weak)
    {
        field = field.Trim(" \t"u8);
        if (field.SequenceEqual("*"u8))
        {
            return true;
        }

        // Entity tags cannot contain a comma or a quote inside the opaque part (RFC 9110 §8.8.3 etagc), so splitting
        // on commas is exact for well-formed lists and harmless for malformed ones.
        foreach (Range r in field.Split((byte)','))
        {
            ReadOnlySpan<byte> tag = field[r].Trim(" \t"u8);
            if (!tag.IsEmpty && ETag.Matches(tag, etag, weak))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseDate(ReadOnlySpan<byte> value, out DateTimeOffset date) =>
        HttpDate.TryParseImfFixdate(value.Trim(" \t"u8), out date);

    private static DateTimeOffset TruncateToSecond(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
