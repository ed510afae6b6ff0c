using Sluice.S3.Http;

namespace Sluice.S3.Conditions;

/// <summary>
/// The four precondition fields of one request (RFC 9110 §13.1) as raw values; an empty span means absent.
/// Either the plain headers or the <c>x-amz-copy-source-if-*</c> ones of a copy.
/// </summary>
public readonly ref struct ConditionalHeaders
{
    /// <summary>Creates the set from raw values.</summary>
    public ConditionalHeaders(ReadOnlySpan<byte> ifMatch, ReadOnlySpan<byte> ifNoneMatch,
        ReadOnlySpan<byte> ifModifiedSince, ReadOnlySpan<byte> ifUnmodifiedSince)
    {
        IfMatch = ifMatch;
        IfNoneMatch = ifNoneMatch;
        IfModifiedSince = ifModifiedSince;
        IfUnmodifiedSince = ifUnmodifiedSince;
    }

    /// <summary>If-Match.</summary>
    public ReadOnlySpan<byte> IfMatch { get; }

    /// <summary>If-None-Match.</summary>
    public ReadOnlySpan<byte> IfNoneMatch { get; }

    /// <summary>If-Modified-Since.</summary>
    public ReadOnlySpan<byte> IfModifiedSince { get; }

    /// <summary>If-Unmodified-Since.</summary>
    public ReadOnlySpan<byte> IfUnmodifiedSince { get; }

    /// <summary>True when no field is present.</summary>
    public bool IsEmpty => IfMatch.IsEmpty && IfNoneMatch.IsEmpty && IfModifiedSince.IsEmpty && IfUnmodifiedSince.IsEmpty;

    /// <summary>The request's If-* headers.</summary>
    public static ConditionalHeaders FromRequest(HttpHeaderTable headers, ReadOnlySpan<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new(headers.GetValue(KnownHeader.IfMatch, buffer), headers.GetValue(KnownHeader.IfNoneMatch, buffer),
            headers.GetValue(KnownHeader.IfModifiedSince, buffer), headers.GetValue(KnownHeader.IfUnmodifiedSince, buffer));
    }

    /// <summary>The request's x-amz-copy-source-if-* headers, which apply to a copy's source object.</summary>
    public static ConditionalHeaders FromCopySource(HttpHeaderTable headers, ReadOnlySpan<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new(headers.GetValue(KnownHeader.XAmzCopySourceIfMatch, buffer),
            headers.GetValue(KnownHeader.XAmzCopySourceIfNoneMatch, buffer),
            headers.GetValue(KnownHeader.XAmzCopySourceIfModifiedSince, buffer),
            headers.GetValue(KnownHeader.XAmzCopySourceIfUnmodifiedSince, buffer));
    }
}
