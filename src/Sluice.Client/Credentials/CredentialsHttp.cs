using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Sluice.Client.Credentials;

/// <summary>
/// What the HTTP-based providers share: two HttpClients (credential fetches are rare, so the BCL client is enough
/// and the S3 transport stays S3-only), one-line error text, and the credential JSON the container endpoint, IMDS and
/// credential_process answer with.
/// </summary>
internal static class CredentialsHttp
{
    /// <summary>Longest piece of a response body quoted in an error message.</summary>
    private const int MaxQuoted = 200;

    /// <summary>For link-local and loopback endpoints (IMDS, the container endpoint): never through a proxy, as the
    /// SDKs do — an HTTP proxy cannot reach them, and must not see their tokens.</summary>
    public static HttpClient Direct { get; } = Create(useProxy: false);

    /// <summary>For STS and the SSO portal: the environment's proxy settings apply.</summary>
    public static HttpClient Proxied { get; } = Create(useProxy: true);

    private static HttpClient Create(bool useProxy) => new(new SocketsHttpHandler
    {
        UseProxy = useProxy,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20),
    })
    {
        // Each call sets its own deadline.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Sends with a deadline; a timeout or connection failure becomes an <see cref="AwsCredentialsException"/>
    /// starting with <paramref name="source"/>.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpRequestMessage request,
        TimeSpan timeout, string source, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, deadline.Token).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return (response.StatusCode, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsCredentialsException($"{source}: no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            throw new AwsCredentialsException($"{source}: {OneLine(e.InnerException?.Message ?? e.Message)}", e);
        }
    }

    /// <summary>Text as one short line (response bodies and process output go into messages).</summary>
    public static string OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "(no details)";
        }

        string line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= MaxQuoted ? line : line[..MaxQuoted] + "...";
    }

    /// <summary>
    /// Reads the credential JSON object: <paramref name="tokenName"/> is "Token" for the container endpoint and IMDS,
    /// "SessionToken" for credential_process. Throws naming <paramref name="source"/> when a field is missing.
    /// </summary>
    public static AwsCredentials ReadCredentials(JsonElement root, string tokenName, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AwsCredentialsException($"{source}: the answer is not a JSON object");
        }

        string accessKey = RequiredString(root, "AccessKeyId", source);
        string secret = RequiredString(root, "SecretAccessKey", source);
        string? token = OptionalString(root, tokenName);
        DateTimeOffset? expiration = OptionalString(root, "Expiration") is { } text ? ParseTime(text, source) : null;
        return new AwsCredentials(accessKey, secret, token, expiration, source);
    }

    public static JsonDocument ParseJson(string body, string source)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new AwsCredentialsException($"{source}: the answer is not JSON ({OneLine(e.Message)}): {OneLine(body)}", e);
        }
    }

    public static string RequiredString(JsonElement root, string name, string source) =>
        OptionalString(root, name) ?? throw new AwsCredentialsException($"{source}: the answer has no {name}");

    public static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>ISO 8601 / RFC 3339 as the endpoints write it ("2024-05-01T12:00:00Z", with or without fractions).</summary>
    public static DateTimeOffset ParseTime(string text, string source) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out DateTimeOffset time)
            ? time
            : throw new AwsCredentialsException($"{source}: the expiration '{text}' is not an ISO 8601 time");
}
