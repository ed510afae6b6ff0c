namespace Sluice.Server.Tests.Compat;

/// <summary><see cref="Boto3CompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class Boto3MemoryCompatTests : Boto3CompatTests, IClassFixture<MemoryCompatServer>
{
    public Boto3MemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
