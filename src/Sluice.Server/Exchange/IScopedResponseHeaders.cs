namespace Sluice.Server.Exchange;

/// <summary>
/// Headers that belong on whatever response a request gets — its success, or any error the handlers or the core send —
/// such as a matched CORS rule's Access-Control-* headers. Set on <see cref="S3Exchange.ScopedHeaders"/>, written by
/// the front each time the response's status is set.
/// </summary>
internal interface IScopedResponseHeaders
{
    /// <summary>Adds the headers to <paramref name="exchange"/>'s response (its status is already set).</summary>
    void AddTo(S3Exchange exchange);
}
