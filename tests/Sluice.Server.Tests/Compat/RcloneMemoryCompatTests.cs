namespace Sluice.Server.Tests.Compat;

/// <summary><see cref="RcloneCompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class RcloneMemoryCompatTests : RcloneCompatTests, IClassFixture<MemoryCompatServer>
{
    public RcloneMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
