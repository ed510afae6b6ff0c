namespace Sluice.S3.Http;

/// <summary>The form of a request target (RFC 9112 §3.2). Authority-form (CONNECT) is rejected: S3 is not a proxy.</summary>
public enum HttpTargetForm : byte
{
    /// <summary>"/path?query": what S3 clients send.</summary>
    Origin = 0,
    /// <summary>"http://authority/path?query": sent to proxies; servers must accept it too.</summary>
    Absolute,
    /// <summary>"*", only with OPTIONS.</summary>
    Asterisk,
}
