namespace Sluice.Server.Lifecycle;

/// <summary>What one lifecycle pass did: objects expired and incomplete multipart uploads aborted.</summary>
public sealed record LifecycleReport(int Expired, int Aborted);
