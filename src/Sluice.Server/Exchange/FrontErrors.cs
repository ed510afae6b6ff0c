using Sluice.S3.Errors;

namespace Sluice.Server.Exchange;

/// <summary>
/// The S3 errors a front answers with when a request fails outside the handler's own answers, so every front says
/// the same thing for the same failure.
/// </summary>
internal static class FrontErrors
{
    /// <summary>What the log says when a handler returned without answering.</summary>
    public const string NoResponse = "the handler sent no response";

    /// <summary>A body that could not be read: its own code (IncompleteBody, RequestTimeout, InvalidRequest...).</summary>
    public static S3Error Body(HttpBodyException e) => new(e.Code, e.Message);

    /// <summary>A failure inside the server: 500 InternalError naming only the exception's type (the log has the rest).</summary>
    public static S3Error Internal(Exception e) =>
        new S3Error(S3ErrorCode.InternalError, "We encountered an internal error. Please try again.")
            .WithDetail("Exception", e.GetType().Name);
}
