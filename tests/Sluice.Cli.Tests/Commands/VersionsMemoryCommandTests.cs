namespace Sluice.Cli.Tests.Commands;

/// <summary><see cref="VersionsCommandTests"/> against the embedded server's memory store.</summary>
public sealed class VersionsMemoryCommandTests : VersionsCommandTests
{
    protected override bool InMemory => true;
}
