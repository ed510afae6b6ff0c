namespace Sluice.Client.Credentials;

/// <summary>Where STS calls go and the region they are signed for.</summary>
/// <param name="Uri">The endpoint, e.g. https://sts.eu-west-1.amazonaws.com.</param>
/// <param name="Region">The SigV4 region (us-east-1 for the global endpoint).</param>
public sealed record StsEndpoint(Uri Uri, string Region)
{
    /// <summary>The regional endpoint (the default since sts_regional_endpoints became "regional"), or the global
    /// one for region null or <paramref name="legacy"/>.</summary>
    public static StsEndpoint ForRegion(string? region, bool legacy = false) =>
        region is null || legacy
            ? new StsEndpoint(new Uri("https://sts.amazonaws.com"), "us-east-1")
            : new StsEndpoint(new Uri($"https://sts.{region}.amazonaws.com"), region);
}
