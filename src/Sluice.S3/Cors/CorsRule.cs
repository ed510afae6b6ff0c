namespace Sluice.S3.Cors;

/// <summary>
/// One rule of a bucket's <see cref="CorsConfiguration"/>: the origins and methods it allows, the headers a preflight
/// may ask for, the response headers a browser may show to scripts and how long it may cache a preflight answer.
/// </summary>
public sealed class CorsRule
{
    /// <summary>ID: an optional name (up to 255 characters).</summary>
    public string? Id { get; set; }

    /// <summary>AllowedHeader: names a preflight's Access-Control-Request-Headers may list (at most one <c>*</c>
    /// each; compared without regard to case).</summary>
    public IList<string> AllowedHeaders { get; } = new List<string>();

    /// <summary>AllowedMethod: GET, PUT, HEAD, POST or DELETE.</summary>
    public IList<string> AllowedMethods { get; } = new List<string>();

    /// <summary>AllowedOrigin: origins allowed, each with at most one <c>*</c> (<c>*</c> alone: any origin).</summary>
    public IList<string> AllowedOrigins { get; } = new List<string>();

    /// <summary>ExposeHeader: response headers scripts may read (Access-Control-Expose-Headers).</summary>
    public IList<string> ExposeHeaders { get; } = new List<string>();

    /// <summary>MaxAgeSeconds: how long a browser may cache the preflight answer; null: not sent.</summary>
    public int? MaxAgeSeconds { get; set; }
}
