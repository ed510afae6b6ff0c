namespace Sluice.Client.Tests.Compat;

/// <summary>
/// Where the real Ceph RADOS Gateway is: SLUICE_RGW_ENV_FILE (ENDPOINT= / ACCESS_KEY= / SECRET_KEY= lines, as the
/// realserver script writes them) or SLUICE_RGW_ENDPOINT / SLUICE_RGW_ACCESS_KEY / SLUICE_RGW_SECRET_KEY.
/// </summary>
internal sealed record RgwEnvironment(Uri Endpoint, string AccessKey, string SecretKey)
{
    public static RgwEnvironment? Current { get; } = Load();

    private static RgwEnvironment? Load()
    {
        string? endpoint = Environment.GetEnvironmentVariable("SLUICE_RGW_ENDPOINT");
        string? access = Environment.GetEnvironmentVariable("SLUICE_RGW_ACCESS_KEY");
        string? secret = Environment.GetEnvironmentVariable("SLUICE_RGW_SECRET_KEY");
        string? file = Environment.GetEnvironmentVariable("SLUICE_RGW_ENV_FILE");
        if (!string.IsNullOrEmpty(file) && File.Exists(file))
        {
            foreach (string line in File.ReadAllLines(file))
            {
                int eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                string value = line[(eq + 1)..].Trim().Trim('"');
                switch (line[..eq].Trim())
                {
                    case "ENDPOINT": endpoint ??= value; break;
                    case "ACCESS_KEY": access ??= value; break;
                    case "SECRET_KEY": secret ??= value; break;
                }
            }
        }

        return string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secret)
            ? null
            : new RgwEnvironment(new Uri(endpoint), access, secret);
    }

    public S3ClientOptions Options() => new()
    {
        Endpoint = Endpoint,
        AccessKeyId = AccessKey,
        SecretAccessKey = SecretKey,
        ForcePathStyle = true,
    };
}

/// <summary>A fact that runs only when a real RADOS Gateway is configured (see <see cref="RgwEnvironment"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RgwFactAttribute : FactAttribute
{
    public RgwFactAttribute()
    {
        if (RgwEnvironment.Current is null)
        {
            Skip = "No RADOS Gateway: set SLUICE_RGW_ENV_FILE (or SLUICE_RGW_ENDPOINT/_ACCESS_KEY/_SECRET_KEY).";
        }
    }
}
