namespace Sluice.S3.Errors;

/// <summary>What S3 documents for one error code: the HTTP status it is sent with, its standard message, and
/// whether a client may retry the request unchanged.</summary>
public readonly record struct S3ErrorInfo(int HttpStatus, string DefaultMessage, bool Retryable);
