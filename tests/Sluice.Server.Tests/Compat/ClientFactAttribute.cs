namespace Sluice.Server.Tests.Compat;

/// <summary>
/// A fact that needs one third-party S3 client (Debian's package, installed by CI): it is skipped, saying which,
/// only when that client is missing here.
/// </summary>
public sealed class ClientFactAttribute : FactAttribute
{
    public ClientFactAttribute(S3Client client)
    {
        if (!Clients.IsInstalled(client)) Skip = $"{Clients.Describe(client)} is not installed";
    }
}
