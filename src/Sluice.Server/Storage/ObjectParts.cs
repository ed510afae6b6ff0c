namespace Sluice.Server.Storage;

/// <summary>
/// A version with the parts it was assembled from (GET/HEAD with partNumber, GetObjectAttributes): the parts of a
/// multipart object in order, each with its number and size (and, when asked for, its ETag and checksum); empty for
/// an object written in one piece.
/// </summary>
public sealed record ObjectParts(ObjectMetadata Metadata, IReadOnlyList<PartInfo> Parts);
