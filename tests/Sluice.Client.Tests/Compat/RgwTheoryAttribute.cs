namespace Sluice.Client.Tests.Compat;

/// <summary>A theory that runs only when a real RADOS Gateway is configured (see <see cref="RgwEnvironment"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RgwTheoryAttribute : TheoryAttribute
{
    public RgwTheoryAttribute()
    {
        if (RgwEnvironment.Current is null)
        {
            Skip = "No RADOS Gateway: set SLUICE_RGW_ENV_FILE (or SLUICE_RGW_ENDPOINT/_ACCESS_KEY/_SECRET_KEY).";
        }
    }
}
