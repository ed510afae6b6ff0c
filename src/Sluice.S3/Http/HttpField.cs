namespace Sluice.S3.Http;

/// <summary>One header field recorded by <see cref="HttpHeaderTable"/>: its identity and where name and value are.</summary>
public readonly record struct HttpField(KnownHeader Header, HttpSlice Name, HttpSlice Value);
