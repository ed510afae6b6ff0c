namespace Sluice.S3.Http;

/// <summary>Receives header fields from <see cref="HttpHeadParser"/>. Spans point into the parsed buffer and are valid
/// only for the duration of the call (copy offsets, not spans, if the data must outlive it).</summary>
public interface IHttpHeaderHandler
{
    /// <summary>One field. <paramref name="value"/> is trimmed of surrounding SP/HTAB; <paramref name="header"/> is
    /// <see cref="KnownHeader.Unknown"/> for names outside the table.</summary>
    void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);

    /// <summary>The blank line ending the head was reached.</summary>
    void OnHeadersComplete();
}
