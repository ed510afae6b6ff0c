namespace Sluice.Server.Tests.Compat;

/// <summary><see cref="S3cmdCompatTests"/> against the memory store (<c>sluice serve --memory</c>).</summary>
public sealed class S3cmdMemoryCompatTests : S3cmdCompatTests, IClassFixture<MemoryCompatServer>
{
    public S3cmdMemoryCompatTests(MemoryCompatServer server) : base(server)
    {
    }
}
