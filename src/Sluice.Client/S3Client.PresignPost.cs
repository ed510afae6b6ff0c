using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Client.Credentials;
using Sluice.S3.Auth;

namespace Sluice.Client;

public sealed partial class S3Client
{
    /// <summary>
    /// A presigned POST (browser form) upload of <paramref name="key"/> into <paramref name="bucket"/>, valid for
    /// <paramref name="expiresIn"/>: the URL and the form fields — key, the extra <paramref name="fields"/> (each also
    /// pinned by an exact condition), the SigV4 fields (x-amz-algorithm, -credential, -date, and the token of temporary
    /// credentials), the base64 policy and its x-amz-signature. The policy holds the bucket, the key (a key ending in
    /// <c>${filename}</c> takes the browser's file name: the condition is then on the prefix before it),
    /// <paramref name="conditions"/> and, when given, <paramref name="contentLengthRange"/>. Made locally, nothing is sent.
    /// </summary>
    public PresignedPost PresignPost(string bucket, string key, TimeSpan expiresIn,
        IReadOnlyList<KeyValuePair<string, string>>? fields = null, IReadOnlyList<PostPolicyCondition>? conditions = null,
        (long Min, long Max)? contentLengthRange = null, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (expiresIn < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, "A presigned POST lasts at least 1 second.");
        if (contentLengthRange is { } range && (range.Min < 0 || range.Max < range.Min))
            throw new ArgumentOutOfRangeException(nameof(contentLengthRange), contentLengthRange, "Expecting 0 <= min <= max.");

        ValueTask<AwsCredentials> pending = _transport.GetCredentialsAsync(CancellationToken.None);
        AwsCredentials credentials = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        var time = now ?? DateTimeOffset.UtcNow;
        string date = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string scopeDate = date[..8], region = Options.Region;
        string credential = $"{credentials.AccessKeyId}/{scopeDate}/{region}/s3/aws4_request";
        var expires = time + expiresIn;

        var form = new List<KeyValuePair<string, string>> { new("key", key) };
        foreach (var field in fields ?? []) form.Add(field);
        form.Add(new("x-amz-algorithm", "AWS4-HMAC-SHA256"));
        form.Add(new("x-amz-credential", credential));
        form.Add(new("x-amz-date", date));
        if (credentials.SessionToken != null) form.Add(new("x-amz-security-token", credentials.SessionToken));

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("expiration", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteStartArray("conditions");
            WriteExact(w, "bucket", bucket);
            const string FileName = "${filename}";
            if (key.EndsWith(FileName, StringComparison.Ordinal)) WriteCondition(w, "starts-with", "key", key[..^FileName.Length]);
            else WriteExact(w, "key", key);
            foreach (var (name, value) in form.Skip(1)) WriteExact(w, name, value);
            foreach (var c in conditions ?? []) WriteCondition(w, c.Operation, c.Field, c.Value);
            if (contentLengthRange is { } r)
            {
                w.WriteStartArray();
                w.WriteStringValue("content-length-range");
                w.WriteNumberValue(r.Min);
                w.WriteNumberValue(r.Max);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        string policy = Convert.ToBase64String(json.ToArray());
        form.Add(new("policy", policy));
        form.Add(new("x-amz-signature", PostPolicySignature.SignV4(credentials.SecretAccessKey, scopeDate, region, "s3", policy)));

        (_, string host, string path) = _transport.Locate(bucket, null);
        return new PresignedPost(new Uri($"{Options.Endpoint.Scheme}://{host}{path}"), form, expires);
    }

    private static void WriteExact(Utf8JsonWriter w, string field, string value)
    {
        w.WriteStartObject();
        w.WriteString(field, value);
        w.WriteEndObject();
    }

    private static void WriteCondition(Utf8JsonWriter w, string operation, string field, string value)
    {
        w.WriteStartArray();
        w.WriteStringValue(operation);
        w.WriteStringValue("$" + field);
        w.WriteStringValue(value);
        w.WriteEndArray();
    }
}
