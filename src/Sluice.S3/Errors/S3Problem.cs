using System.Globalization;
using System.Text;

namespace Sluice.S3.Errors;

/// <summary>
/// An S3 error decided by a request rule, kept as a value until the server writes it: the code (one of
/// <see cref="S3ErrorCode"/>), its message and up to two extra elements (e.g. ArgumentName / ArgumentValue).
/// <c>default</c> means "no problem".
/// </summary>
/// <remarks>Rules return this instead of throwing or building an <see cref="S3Error"/>, so the success path never
/// allocates; strings appear only when something is wrong.</remarks>
public readonly struct S3Problem
{
    private S3Problem(string code, string? message, string? name1, string? value1, string? name2, string? value2)
    {
        Code = code;
        Message = message;
        DetailName1 = name1;
        DetailValue1 = value1;
        DetailName2 = name2;
        DetailValue2 = value2;
    }

    /// <summary>The S3 error code, or null for "no problem".</summary>
    public string? Code { get; }

    /// <summary>The message; null means the code's documented default.</summary>
    public string? Message { get; }

    /// <summary>First extra element name (e.g. "ArgumentName"), or null.</summary>
    public string? DetailName1 { get; }

    /// <summary>First extra element value.</summary>
    public string? DetailValue1 { get; }

    /// <summary>Second extra element name (e.g. "ArgumentValue"), or null.</summary>
    public string? DetailName2 { get; }

    /// <summary>Second extra element value.</summary>
    public string? DetailValue2 { get; }

    /// <summary>True when there is no problem.</summary>
    public bool IsNone => Code is null;

    /// <summary>The HTTP status S3 answers this code with (500 for an unknown code, 200 for none).</summary>
    public int HttpStatus => Code is null ? 200 : S3ErrorCode.HttpStatusFor(Code) ?? 500;

    /// <summary>The value of the extra element <paramref name="name"/>, or null.</summary>
    public string? GetDetail(string name) =>
        DetailName1 == name ? DetailValue1 : DetailName2 == name ? DetailValue2 : null;

    /// <summary>A problem with <paramref name="code"/> and an optional message.</summary>
    public static S3Problem Of(string code, string? message = null) => new(code, message, null, null, null, null);

    /// <summary>A problem with one extra element.</summary>
    public static S3Problem Of(string code, string? message, string name, string value) =>
        new(code, message, name, value, null, null);

    /// <summary>A problem with two extra elements.</summary>
    public static S3Problem Of(string code, string? message, string name1, string value1, string name2, string value2) =>
        new(code, message, name1, value1, name2, value2);

    /// <summary>InvalidArgument naming the argument only (AWS leaves the value out of some refusals).</summary>
    public static S3Problem InvalidArgument(string message, string argumentName) =>
        new(S3ErrorCode.InvalidArgument, message, "ArgumentName", argumentName, null, null);

    /// <summary>InvalidArgument naming the argument and the value as sent.</summary>
    public static S3Problem InvalidArgument(string message, string argumentName, string argumentValue) =>
        new(S3ErrorCode.InvalidArgument, message, "ArgumentName", argumentName, "ArgumentValue", argumentValue);

    /// <summary>InvalidArgument whose value is the UTF-8 <paramref name="argumentValue"/> as sent.</summary>
    public static S3Problem InvalidArgument(string message, string argumentName, ReadOnlySpan<byte> argumentValue) =>
        InvalidArgument(message, argumentName, Encoding.UTF8.GetString(argumentValue));

    /// <summary>InvalidRange as S3 sends it for a GET: the range asked for and the object's size.</summary>
    public static S3Problem InvalidRange(ReadOnlySpan<byte> rangeRequested, long objectSize) =>
        new(S3ErrorCode.InvalidRange, null, "RangeRequested", Encoding.UTF8.GetString(rangeRequested),
            "ActualObjectSize", objectSize.ToString(CultureInfo.InvariantCulture));

    /// <summary>The wire error, with <paramref name="resource"/> (e.g. <c>/bucket/key</c>) when known.</summary>
    public S3Error ToError(string? resource = null)
    {
        if (Code is null)
        {
            throw new InvalidOperationException("There is no problem to report.");
        }

        var error = new S3Error(Code, Message) { Resource = resource };
        if (DetailName1 is not null)
        {
            error.WithDetail(DetailName1, DetailValue1 ?? string.Empty);
        }

        if (DetailName2 is not null)
        {
            error.WithDetail(DetailName2, DetailValue2 ?? string.Empty);
        }

        return error;
    }

    /// <inheritdoc />
    public override string ToString() => Code is null ? "(none)" : $"{Code}: {Message}";
}
