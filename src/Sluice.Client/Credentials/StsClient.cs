using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Sluice.S3.Auth;

namespace Sluice.Client.Credentials;

/// <summary>
/// The two STS Query API calls the providers need: a form-encoded POST (Action, Version=2011-06-15, parameters) whose
/// answer is XML with Credentials {AccessKeyId, SecretAccessKey, SessionToken, Expiration}, or an ErrorResponse.
/// AssumeRole is SigV4-signed for service "sts" with the source credentials; AssumeRoleWithWebIdentity is unsigned
/// (the token is the proof).
/// </summary>
internal static class StsClient
{
    public const string ApiVersion = "2011-06-15";

    /// <summary>STS answers in well under a second; a slow one is retried by the caller's next refresh.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Form body with <c>application/x-www-form-urlencoded</c> escaping.</summary>
    public static string Form(params (string Name, string? Value)[] fields)
    {
        var form = new StringBuilder();
        foreach ((string name, string? value) in fields)
        {
            if (value is null)
            {
                continue;
            }

            if (form.Length > 0)
            {
                form.Append('&');
            }

            form.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return form.ToString();
    }

    /// <summary>POSTs <paramref name="form"/> to <paramref name="endpoint"/>, signed with <paramref name="signWith"/>
    /// when given, and returns the credentials of the answer.</summary>
    public static async Task<AwsCredentials> CallAsync(Uri endpoint, string region, string action, string form,
        AwsCredentials? signWith, string source, CancellationToken cancellationToken)
    {
        byte[] body = Encoding.UTF8.GetBytes(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        if (signWith is not null)
        {
            var signer = new SigV4Signer(signWith.AccessKeyId, signWith.SecretAccessKey, region, signWith.SessionToken,
                new SigV4SignerOptions { Service = "sts", UriMode = SigV4UriMode.Generic, AddContentSha256Header = false });
            var headers = new SigV4HeaderList();
            headers.Add("host", endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}");
            string path = string.IsNullOrEmpty(endpoint.AbsolutePath) ? "/" : endpoint.AbsolutePath;
            string? query = endpoint.Query.Length > 1 ? endpoint.Query[1..] : null;
            signer.SignHeaders(headers, "POST", path, query, SigV4PayloadHash.Sha256Hex(body), DateTimeOffset.UtcNow);
            for (int i = 0; i < headers.Count; i++)
            {
                string name = headers.GetNameString(i);
                if (!name.Equals("host", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.TryAddWithoutValidation(name, headers.GetValueString(i));
                }
            }
        }

        (HttpStatusCode status, string text) = await CredentialsHttp.SendAsync(CredentialsHttp.Proxied, request, Timeout, source,
            cancellationToken).ConfigureAwait(false);
        XDocument xml;
        try
        {
            xml = XDocument.Parse(text);
        }
        catch (XmlException)
        {
            throw new AwsCredentialsException($"{source}: {action} answered HTTP {(int)status} without XML: {CredentialsHttp.OneLine(text)}");
        }

        if (status != HttpStatusCode.OK)
        {
            string code = Child(xml.Root, "Error", "Code") ?? "";
            string message = Child(xml.Root, "Error", "Message") ?? CredentialsHttp.OneLine(text);
            throw new AwsCredentialsException($"{source}: {action} failed (HTTP {(int)status}): {code}{(code.Length > 0 ? ": " : "")}{message}");
        }

        XElement? credentials = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Credentials");
        string? accessKey = Child(credentials, "AccessKeyId");
        string? secret = Child(credentials, "SecretAccessKey");
        if (accessKey is null || secret is null)
        {
            throw new AwsCredentialsException($"{source}: the {action} answer has no Credentials");
        }

        DateTimeOffset? expiration = Child(credentials, "Expiration") is { } e ? CredentialsHttp.ParseTime(e, source) : null;
        return new AwsCredentials(accessKey, secret, Child(credentials, "SessionToken"), expiration, source);
    }

    /// <summary>The text of a descendant path by local names (STS answers carry a namespace).</summary>
    private static string? Child(XElement? element, params string[] path)
    {
        foreach (string name in path)
        {
            element = element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);
        }

        return element is null || string.IsNullOrWhiteSpace(element.Value) ? null : element.Value.Trim();
    }
}
