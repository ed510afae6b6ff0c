namespace Sluice.Server.Tests.Compat;

/// <summary><see cref="VersioningCompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class VersioningMemoryCompatTests : VersioningCompatTests, IClassFixture<MemoryCompatServer>
{
    public VersioningMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
