using System.Buffers;
using Sluice.S3.Xml;

namespace Sluice.S3.Errors;

/// <summary>
/// An S3 error as carried by the <c>Error</c> body, shared by client (reads it) and server (writes it).
/// </summary>
/// <remarks>
/// Some errors carry extra elements (NoSuchKey: Key; NoSuchBucket: BucketName; InvalidArgument: ArgumentName
/// and ArgumentValue; SignatureDoesNotMatch: StringToSign, CanonicalRequest, ...); they travel in
/// <see cref="Details"/> in document order. The Error root has no namespace, as S3 sends it.
/// </remarks>
public sealed class S3Error
{
    /// <summary>Creates an error with <paramref name="code"/> and, by default, its documented message.</summary>
    public S3Error(string code, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(code);
        Code = code;
        Message = message ?? (S3ErrorCode.TryGetInfo(code, out S3ErrorInfo info) ? info.DefaultMessage : code);
    }

    /// <summary>The error code, e.g. <see cref="S3ErrorCode.NoSuchKey"/>.</summary>
    public string Code { get; }

    /// <summary>Human-readable description.</summary>
    public string Message { get; set; }

    /// <summary>The bucket or object the error concerns, e.g. <c>/mybucket/myfoto.jpg</c>.</summary>
    public string? Resource { get; set; }

    public string? RequestId { get; set; }

    public string? HostId { get; set; }

    /// <summary>Code-specific extra elements (name, text), e.g. ("Key", "photo.jpg").</summary>
    public IList<KeyValuePair<string, string>> Details { get; } = new List<KeyValuePair<string, string>>();

    /// <summary>The HTTP status S3 sends this code with; 500 for codes the table does not know.</summary>
    public int HttpStatus => S3ErrorCode.HttpStatusFor(Code) ?? 500;

    /// <summary>Whether a client may resend the request (see <see cref="S3ErrorCode.IsRetryable"/>).</summary>
    public bool IsRetryable => S3ErrorCode.IsRetryable(Code, HttpStatus);

    /// <summary>Adds a detail element; returns this for chaining.</summary>
    public S3Error WithDetail(string name, string value)
    {
        Details.Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    /// <summary>The detail named <paramref name="name"/>, or null.</summary>
    public string? GetDetail(string name)
    {
        foreach (KeyValuePair<string, string> detail in Details)
        {
            if (detail.Key == name)
            {
                return detail.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Writes <c>&lt;?xml …?&gt;\n&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;Message&gt;…&lt;/Message&gt;</c>, the details,
    /// then Resource, RequestId and HostId when set.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteStartElement("Error"u8);
        w.WriteElement("Code"u8, Code);
        w.WriteElement("Message"u8, Message);
        foreach (KeyValuePair<string, string> detail in Details)
        {
            w.WriteStartElement(detail.Key);
            w.WriteText(detail.Value);
            w.WriteEndElement(detail.Key);
        }

        w.WriteOptionalElement("Resource"u8, Resource);
        w.WriteOptionalElement("RequestId"u8, RequestId);
        w.WriteOptionalElement("HostId"u8, HostId);
        w.WriteEndElement("Error"u8);
        w.Flush();
    }

    /// <summary>Reads an <c>Error</c> body; never throws on malformed input. Code is required.</summary>
    public static XmlReadResult<S3Error> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "Error", static reader =>
        {
            string? code = null, message = null, resource = null, requestId = null, hostId = null;
            List<KeyValuePair<string, string>>? details = null;
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Code":
                        code = reader.ReadText();
                        break;
                    case "Message":
                        message = reader.ReadText();
                        break;
                    case "Resource":
                        resource = reader.ReadText();
                        break;
                    case "RequestId":
                        requestId = reader.ReadText();
                        break;
                    case "HostId":
                        hostId = reader.ReadText();
                        break;
                    default:
                        string? text = reader.ReadTextOrSkip();
                        if (text is not null)
                        {
                            (details ??= []).Add(new KeyValuePair<string, string>(name, text));
                        }

                        break;
                }
            }

            if (string.IsNullOrEmpty(code))
            {
                XmlBodyReader.Fail("Error without Code");
            }

            var error = new S3Error(code, message ?? string.Empty)
            {
                Resource = resource,
                RequestId = requestId,
                HostId = hostId,
            };
            if (details is not null)
            {
                foreach (KeyValuePair<string, string> detail in details)
                {
                    error.Details.Add(detail);
                }
            }

            return error;
        });

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
