using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Sluice.Client.Credentials;

/// <summary>
/// The ECS / EKS Pod Identity container endpoint: GET a URL, answer {"AccessKeyId","SecretAccessKey","Token",
/// "Expiration"}. The URL is http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, or
/// AWS_CONTAINER_CREDENTIALS_FULL_URI, which must be https or name a loopback address, the ECS address 169.254.170.2 or
/// the EKS addresses 169.254.170.23 / fd00:ec2::23 (a host name must resolve to such addresses only), as the SDKs
/// require: credentials must not be fetched from wherever a variable points. The Authorization header is the content
/// of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read again on every fetch (EKS rotates it), else
/// AWS_CONTAINER_AUTHORIZATION_TOKEN.
/// </summary>
public sealed class ContainerCredentialsProvider : IAwsCredentialsProvider
{
    /// <summary>The ECS task metadata address the relative URI is resolved against.</summary>
    public const string EcsHost = "169.254.170.2";

    /// <summary>Per attempt (the SDKs use 1 to 5 seconds against a local agent).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Attempts for connection failures and 5xx answers (the agent may be starting).</summary>
    private const int Attempts = 3;

    private static readonly IPAddress[] ContainerAddresses =
        [IPAddress.Parse(EcsHost), IPAddress.Parse("169.254.170.23"), IPAddress.Parse("fd00:ec2::23")];

    private readonly Uri _uri;
    private readonly string? _token;
    private readonly string? _tokenFile;
    private readonly TimeSpan _timeout;

    /// <summary>A provider for <paramref name="uri"/> (checked as AWS_CONTAINER_CREDENTIALS_FULL_URI is).</summary>
    public ContainerCredentialsProvider(Uri uri, string? authorizationToken = null, string? authorizationTokenFile = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new AwsCredentialsException($"container endpoint: '{uri}' is not an http(s) URL");
        }

        _uri = uri;
        _token = authorizationToken;
        _tokenFile = authorizationTokenFile;
        _timeout = timeout ?? DefaultTimeout;
    }

    public string Name => "container endpoint " + _uri;

    public Uri Uri => _uri;

    /// <summary>The provider the environment configures, or null when neither URI variable is set.</summary>
    public static ContainerCredentialsProvider? FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? token = NullIfEmpty(environment("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        string? tokenFile = NullIfEmpty(environment("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
        if (NullIfEmpty(environment("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) is { } relative)
        {
            if (!relative.StartsWith('/'))
            {
                relative = "/" + relative;
            }

            return new ContainerCredentialsProvider(new Uri("http://" + EcsHost + relative), token, tokenFile);
        }

        if (NullIfEmpty(environment("AWS_CONTAINER_CREDENTIALS_FULL_URI")) is { } full)
        {
            if (!Uri.TryCreate(full, UriKind.Absolute, out Uri? uri))
            {
                throw new AwsCredentialsException($"AWS_CONTAINER_CREDENTIALS_FULL_URI: '{full}' is not a URL");
            }

            return new ContainerCredentialsProvider(uri, token, tokenFile);
        }

        return null;
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        await CheckHostAsync(cancellationToken).ConfigureAwait(false);
        string? authorization = ReadAuthorization();
        for (int attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            request.Headers.Accept.ParseAdd("application/json");
            HttpStatusCode status;
            string body;
            try
            {
                (status, body) = await CredentialsHttp.SendAsync(CredentialsHttp.Direct, request, _timeout, Name, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (AwsCredentialsException) when (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if ((int)status >= 500 && attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            using JsonDocument json = status == HttpStatusCode.OK ? CredentialsHttp.ParseJson(body, Name) : ErrorJson(body);
            if (status != HttpStatusCode.OK)
            {
                // The endpoint may explain itself as {"code": ..., "message": ...}.
                string detail = json.RootElement.ValueKind == JsonValueKind.Object
                    && CredentialsHttp.OptionalString(json.RootElement, "message") is { } message
                    ? (CredentialsHttp.OptionalString(json.RootElement, "code") is { } code ? code + ": " : "") + message
                    : body;
                throw new AwsCredentialsException($"{Name}: HTTP {(int)status}: {CredentialsHttp.OneLine(detail)}");
            }

            return CredentialsHttp.ReadCredentials(json.RootElement, "Token", Name);
        }
    }

    private static JsonDocument ErrorJson(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return JsonDocument.Parse("null");
        }
    }

    private string? ReadAuthorization()
    {
        string? value = _token;
        if (_tokenFile is not null)
        {
            try
            {
                value = File.ReadAllText(_tokenFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new AwsCredentialsException($"{Name}: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {_tokenFile}: {e.Message}", e);
            }
        }

        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new AwsCredentialsException($"{Name}: the authorization token holds a line break");
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }

    private async Task CheckHostAsync(CancellationToken cancellationToken)
    {
        if (_uri.Scheme == Uri.UriSchemeHttps)
        {
            return;
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(_uri.IdnHost, out IPAddress? literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(_uri.IdnHost, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new AwsCredentialsException($"{Name}: {e.Message}", e);
            }
        }

        if (addresses.Length == 0 || !Array.TrueForAll(addresses, IsAllowed))
        {
            throw new AwsCredentialsException($"{Name}: plain http is allowed only to loopback, {EcsHost}, " +
                "169.254.170.23 or fd00:ec2::23 (use https for other hosts)");
        }
    }

    private static bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IPAddress.IsLoopback(address) || Array.Exists(ContainerAddresses, a => a.Equals(address));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
