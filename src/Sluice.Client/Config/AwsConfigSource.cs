namespace Sluice.Client.Config;

/// <summary>Where <see cref="AwsConfigLoader"/> looks: environment variables and the home directory (injectable for tests).</summary>
public sealed record AwsConfigSource
{
    /// <summary>Environment lookup; defaults to the process environment.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The home directory holding .aws/; defaults to the user profile directory.</summary>
    public string? HomeDirectory { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>The process environment and the user's home.</summary>
    public static AwsConfigSource Current { get; } = new();

    /// <summary>A source over a fixed variable set and home directory.</summary>
    public static AwsConfigSource From(IReadOnlyDictionary<string, string> environment, string? homeDirectory) => new()
    {
        GetEnvironmentVariable = name => environment.TryGetValue(name, out string? v) ? v : null,
        HomeDirectory = homeDirectory,
    };
}
