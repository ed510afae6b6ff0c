namespace Sluice.Server.Index;

/// <summary>How a <see cref="ListingWalker"/> page ended.</summary>
/// <param name="Count">Items plus common prefixes returned.</param>
/// <param name="IsTruncated">More results follow the last one returned.</param>
/// <param name="LastItem">The last key or common prefix returned (what a continuation token or NextMarker encodes).</param>
public readonly record struct WalkResult(int Count, bool IsTruncated, ReadOnlyMemory<byte> LastItem);
