namespace Sluice.Server.Tests.Compat;

/// <summary><see cref="AwsCliCompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class AwsCliMemoryCompatTests : AwsCliCompatTests, IClassFixture<MemoryCompatServer>
{
    public AwsCliMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
