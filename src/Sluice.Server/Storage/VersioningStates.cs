using Sluice.S3.Xml;

namespace Sluice.Server.Storage;

/// <summary>Reads the state from the stored <see cref="BucketSetting.Versioning"/> document.</summary>
public static class VersioningStates
{
    /// <summary>The state a stored document says (null or unreadable: never versioned).</summary>
    public static VersioningState Of(byte[]? document)
    {
        if (document == null) return VersioningState.Unversioned;
        var read = VersioningConfiguration.Read(document);
        return read.IsSuccess ? Of(read.Value!.Status) : VersioningState.Unversioned;
    }

    /// <summary>The state a configuration's Status names.</summary>
    public static VersioningState Of(string? status) => status switch
    {
        "Enabled" => VersioningState.Enabled,
        "Suspended" => VersioningState.Suspended,
        _ => VersioningState.Unversioned,
    };
}
