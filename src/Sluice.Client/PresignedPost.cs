namespace Sluice.Client;

/// <summary>
/// A browser-form (POST object) upload made ready: the URL to POST to and the form fields to send, in order, before
/// the <c>file</c> field (which must come last).
/// </summary>
public sealed record PresignedPost(Uri Url, IReadOnlyList<KeyValuePair<string, string>> Fields, DateTimeOffset Expires);
