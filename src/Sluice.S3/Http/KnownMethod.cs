namespace Sluice.S3.Http;

/// <summary>Request methods recognised without allocating; anything else is <see cref="Unknown"/> and the raw token is kept.</summary>
/// <remarks>Not named HttpMethod so it never collides with System.Net.Http.HttpMethod (an implicit using).</remarks>
public enum KnownMethod : byte
{
    /// <summary>An extension method: read the raw method token.</summary>
    Unknown = 0,
    Get,
    Put,
    Post,
    Delete,
    Head,
    Options,
    Patch,
    Trace,
    Connect,
}
