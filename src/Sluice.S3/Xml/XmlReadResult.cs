using System.Diagnostics.CodeAnalysis;
using Sluice.S3.Errors;

namespace Sluice.S3.Xml;

/// <summary>
/// Outcome of reading an S3 XML body: the parsed value, or why the document was refused. A refused request
/// body is answered with <see cref="S3ErrorCode.MalformedXML"/>; <see cref="Detail"/> is for logs only.
/// </summary>
public readonly struct XmlReadResult<T>
    where T : class
{
    internal XmlReadResult(T? value, string? detail)
    {
        Value = value;
        Detail = detail;
    }

    /// <summary>The parsed body, when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>What was wrong with the document, when not <see cref="IsSuccess"/>.</summary>
    public string? Detail { get; }

    /// <summary>True when the document was read.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Detail))]
    public bool IsSuccess => Value is not null;

    /// <summary>The S3 error code a server answers a refused body with.</summary>
    public string ErrorCode => S3ErrorCode.MalformedXML;
}
