namespace Sluice.S3.Ranges;

/// <summary>What a Range header asks of a GET.</summary>
public enum RangeOutcome
{
    /// <summary>No usable range: serve the whole object with 200 (absent, malformed or multi-range headers).</summary>
    WholeObject,

    /// <summary>Serve the range with 206 and a Content-Range.</summary>
    Partial,

    /// <summary>Answer 416 InvalidRange with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}
