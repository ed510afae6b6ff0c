namespace Sluice.Server.Tests.Compat;

/// <summary><see cref="AwsCliListingCompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class AwsCliListingMemoryCompatTests : AwsCliListingCompatTests, IClassFixture<MemoryCompatServer>
{
    public AwsCliListingMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
