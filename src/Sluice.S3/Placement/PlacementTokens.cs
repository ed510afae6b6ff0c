namespace Sluice.S3.Placement;

/// <summary>Tells the token formats apart.</summary>
public static class PlacementTokens
{
    public static PlacementTokenKind Classify(ReadOnlySpan<byte> token) =>
        ShmToken.TryParse(token, out _) ? PlacementTokenKind.SharedMemory
        : CuObjectToken.TryParse(token, out _) ? PlacementTokenKind.CuObject
        : PlacementTokenKind.Malformed;
}
