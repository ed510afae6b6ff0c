namespace Sluice.Server.Storage;

/// <summary>
/// What a delete did (S3 answers 204 either way): whether something was removed or added, the version id to report
/// (x-amz-version-id: the delete marker's, or the version removed; null when the bucket was never versioned), and
/// whether that version is a delete marker (x-amz-delete-marker: a marker added, or a marker removed by id).
/// </summary>
public readonly record struct DeleteOutcome(bool Existed, string? VersionId, bool DeleteMarker);
