using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// What cp and sync set on the objects they write, named as <c>aws s3 cp</c> names it: content headers (with the type
/// guessed from the file's extension unless --no-guess-mime-type), user metadata, storage class, canned ACL, SSE-S3 /
/// SSE-KMS / SSE-C encryption and tags. Uploads send them with the PutObject or CreateMultipartUpload (an SSE-C key
/// with every part too); copies with the CopyObject (the content headers and metadata only with --metadata-directive
/// REPLACE); downloads take only the SSE-C key of what they read. An option that would not apply to the direction
/// asked is a usage error, never silently dropped.
/// </summary>
internal sealed class ObjectAttributeOptions
{
    private static readonly string[] AclNames =
        ["private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control",
         "log-delivery-write"];

    public Option<string> ContentType { get; } = new("--content-type") { Description = "Content-Type of what is uploaded (default: guessed from the file's extension)" };
    public Option<bool> NoGuessMimeType { get; } = new("--no-guess-mime-type") { Description = "Do not guess the Content-Type of uploaded files from their extensions" };
    public Option<string> CacheControl { get; } = new("--cache-control") { Description = "Cache-Control of what is written" };
    public Option<string> ContentDisposition { get; } = new("--content-disposition") { Description = "Content-Disposition of what is written" };
    public Option<string> ContentEncoding { get; } = new("--content-encoding") { Description = "Content-Encoding of what is written" };
    public Option<string> ContentLanguage { get; } = new("--content-language") { Description = "Content-Language of what is written" };
    public Option<string> Expires { get; } = new("--expires") { Description = "Expires of what is written: a date and time such as 2026-12-31T00:00:00Z" };
    public Option<string> Metadata { get; } = new("--metadata") { Description = "User metadata: key=value,key2=value2 or a JSON object" };
    public Option<string> MetadataDirective { get; } = new("--metadata-directive")
    {
        Description = "For s3-to-s3 copies: COPY the source's content headers and metadata (default) or REPLACE them with the ones given",
    };
    public Option<string> StorageClass { get; } = new("--storage-class") { Description = "Storage class of what is written, e.g. STANDARD_IA" };
    public Option<string> Acl { get; } = new("--acl") { Description = "Canned ACL of what is written: " + string.Join(", ", AclNames) };
    public Option<string> Sse { get; } = new("--sse") { Description = "Server-side encryption: AES256 (the default when given alone), aws:kms or aws:kms:dsse", Arity = ArgumentArity.ZeroOrOne };
    public Option<string> SseKmsKeyId { get; } = new("--sse-kms-key-id") { Description = "The KMS key of --sse aws:kms" };
    public Option<string> SseC { get; } = new("--sse-c") { Description = "Encrypt (or read) with a customer-provided key: AES256 (the default when given alone)", Arity = ArgumentArity.ZeroOrOne };
    public Option<string> SseCKey { get; } = new("--sse-c-key") { Description = "The --sse-c key: 32 bytes as text, or fileb://FILE holding them" };
    public Option<string> SseCCopySource { get; } = new("--sse-c-copy-source") { Description = "The source of a copy is SSE-C encrypted: AES256", Arity = ArgumentArity.ZeroOrOne };
    public Option<string> SseCCopySourceKey { get; } = new("--sse-c-copy-source-key") { Description = "The key of --sse-c-copy-source (as --sse-c-key)" };
    public Option<string> Tagging { get; } = new("--tagging") { Description = "Tags of what is written, URL-encoded: key=value&key2=value2" };
    public Option<string> ObjectLockMode { get; } = new("--object-lock-mode") { Description = "Object lock retention of what is written: GOVERNANCE or COMPLIANCE (with --object-lock-retain-until-date; the bucket must have object lock)" };
    public Option<string> ObjectLockRetainUntilDate { get; } = new("--object-lock-retain-until-date") { Description = "Until when --object-lock-mode holds: a date and time such as 2030-01-01T00:00:00Z" };
    public Option<string> ObjectLockLegalHold { get; } = new("--object-lock-legal-hold-status") { Description = "Object lock legal hold of what is written: ON or OFF" };

    private Option[] Content => [ContentType, CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, Expires, Metadata];

    private Option[] Written => [.. Content, NoGuessMimeType, StorageClass, Acl, Sse, SseKmsKeyId, Tagging, ObjectLockMode,
        ObjectLockRetainUntilDate, ObjectLockLegalHold];

    private Option[] All => [.. Written, MetadataDirective, SseC, SseCKey, SseCCopySource, SseCCopySourceKey];

    public ObjectAttributeOptions()
    {
        Acl.AcceptOnlyFromAmong(AclNames);
        MetadataDirective.AcceptOnlyFromAmong("COPY", "REPLACE");
        Sse.AcceptOnlyFromAmong("AES256", "aws:kms", "aws:kms:dsse");
        SseC.AcceptOnlyFromAmong("AES256");
        SseCCopySource.AcceptOnlyFromAmong("AES256");
        ObjectLockMode.AcceptOnlyFromAmong("GOVERNANCE", "COMPLIANCE");
        ObjectLockLegalHold.AcceptOnlyFromAmong("ON", "OFF");
    }

    public void AddTo(Command command)
    {
        foreach (Option option in All) command.Options.Add(option);
    }

    /// <summary>The settings of an upload (local to s3); refuses what only a copy takes.</summary>
    public UploadOptions Upload(ParseResult parse, string verb)
    {
        Refuse(parse, verb, "a copy from s3", MetadataDirective, SseCCopySource, SseCCopySourceKey);
        Check(parse, verb);
        return new UploadOptions
        {
            ContentType = parse.GetValue(ContentType),
            GuessContentType = !parse.GetValue(NoGuessMimeType),
            CacheControl = parse.GetValue(CacheControl),
            ContentDisposition = parse.GetValue(ContentDisposition),
            ContentEncoding = parse.GetValue(ContentEncoding),
            ContentLanguage = parse.GetValue(ContentLanguage),
            Expires = HttpDate(parse, verb),
            Metadata = ParseMetadata(parse, verb),
            StorageClass = parse.GetValue(StorageClass),
            Acl = AclOf(parse),
            ServerSideEncryption = SseOf(parse),
            SseKmsKeyId = parse.GetValue(SseKmsKeyId),
            CustomerKey = CustomerKey(parse, verb, SseC, SseCKey),
            Tags = ParseTags(parse, verb),
            ObjectLockMode = parse.GetValue(ObjectLockMode),
            ObjectLockRetainUntilDate = RetainUntil(parse, verb),
            ObjectLockLegalHold = LegalHoldOf(parse),
        };
    }

    /// <summary>The settings of an s3-to-s3 copy: content headers and metadata only with --metadata-directive REPLACE.</summary>
    public CopyOptions Copy(ParseResult parse, string verb)
    {
        Refuse(parse, verb, "an upload", NoGuessMimeType);
        Check(parse, verb);
        bool replace = parse.GetValue(MetadataDirective) == "REPLACE";
        if (!replace && Content.FirstOrDefault(o => Given(parse, o)) is { } given)
        {
            throw new CliException($"{verb}: a copy keeps the source's content headers and metadata: {given.Name} needs --metadata-directive REPLACE",
                Program.ExitUsage);
        }
        return new CopyOptions
        {
            ReplaceMetadata = replace,
            ContentType = parse.GetValue(ContentType),
            CacheControl = parse.GetValue(CacheControl),
            ContentDisposition = parse.GetValue(ContentDisposition),
            ContentEncoding = parse.GetValue(ContentEncoding),
            ContentLanguage = parse.GetValue(ContentLanguage),
            Expires = HttpDate(parse, verb),
            Metadata = ParseMetadata(parse, verb),
            StorageClass = parse.GetValue(StorageClass),
            Acl = AclOf(parse),
            ServerSideEncryption = SseOf(parse),
            SseKmsKeyId = parse.GetValue(SseKmsKeyId),
            CustomerKey = CustomerKey(parse, verb, SseC, SseCKey),
            SourceCustomerKey = CustomerKey(parse, verb, SseCCopySource, SseCCopySourceKey),
            Tags = ParseTags(parse, verb),
            ObjectLockMode = parse.GetValue(ObjectLockMode),
            ObjectLockRetainUntilDate = RetainUntil(parse, verb),
            ObjectLockLegalHold = LegalHoldOf(parse),
        };
    }

    /// <summary>The SSE-C key of what a download reads (--sse-c/--sse-c-key); refuses every option that sets what is written.</summary>
    public SseCustomerKey? Download(ParseResult parse, string verb)
    {
        Refuse(parse, verb, "an upload or copy", [.. Written, MetadataDirective]);
        Refuse(parse, verb, "a copy from s3", SseCCopySource, SseCCopySourceKey);
        return CustomerKey(parse, verb, SseC, SseCKey);
    }

    /// <summary>The key of objects read when both sides are s3 (the copy source's), for the engine's HEADs.</summary>
    public SseCustomerKey? CopySourceKey(ParseResult parse, string verb) => CustomerKey(parse, verb, SseCCopySource, SseCCopySourceKey);

    /// <summary>On the command line (a flag's implicit default does not count).</summary>
    internal static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static void Refuse(ParseResult parse, string verb, string what, params Option[] options)
    {
        foreach (Option option in options)
            if (Given(parse, option))
                throw new CliException($"{verb}: {option.Name} applies to {what}, not here", Program.ExitUsage);
    }

    private void Check(ParseResult parse, string verb)
    {
        if (Given(parse, Sse) && Given(parse, SseC))
            throw new CliException($"{verb}: --sse and --sse-c exclude each other", Program.ExitUsage);
        if (parse.GetValue(SseKmsKeyId) != null && SseOf(parse) is not (ServerSideEncryptionMethod.AwsKms or ServerSideEncryptionMethod.AwsKmsDsse))
            throw new CliException($"{verb}: --sse-kms-key-id needs --sse aws:kms", Program.ExitUsage);
    }

    private CannedAcl? AclOf(ParseResult parse) => parse.GetValue(Acl) switch
    {
        null => null,
        "private" => CannedAcl.Private,
        "public-read" => CannedAcl.PublicRead,
        "public-read-write" => CannedAcl.PublicReadWrite,
        "authenticated-read" => CannedAcl.AuthenticatedRead,
        "aws-exec-read" => CannedAcl.AwsExecRead,
        "bucket-owner-read" => CannedAcl.BucketOwnerRead,
        "bucket-owner-full-control" => CannedAcl.BucketOwnerFullControl,
        _ => CannedAcl.LogDeliveryWrite,
    };

    // Given without a value, --sse means AES256, as aws takes it.
    private ServerSideEncryptionMethod? SseOf(ParseResult parse) => !Given(parse, Sse) ? null : parse.GetValue(Sse) switch
    {
        "aws:kms" => ServerSideEncryptionMethod.AwsKms,
        "aws:kms:dsse" => ServerSideEncryptionMethod.AwsKmsDsse,
        _ => ServerSideEncryptionMethod.Aes256,
    };

    /// <summary>An SSE-C key from --sse-c[-copy-source] and its key option, which go together (as aws requires).</summary>
    private static SseCustomerKey? CustomerKey(ParseResult parse, string verb, Option<string> algorithm, Option<string> keyOption)
    {
        bool given = Given(parse, algorithm);
        string? text = parse.GetValue(keyOption);
        if (!given && text is null) return null;
        if (!given) throw new CliException($"{verb}: {keyOption.Name} needs {algorithm.Name}", Program.ExitUsage);
        if (text is null) throw new CliException($"{verb}: {algorithm.Name} needs {keyOption.Name}", Program.ExitUsage);
        byte[] key;
        if (text.StartsWith("fileb://", StringComparison.Ordinal))
        {
            try { key = File.ReadAllBytes(text["fileb://".Length..]); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"{verb}: {keyOption.Name}: {e.Message}", Program.ExitUsage);
            }
        }
        else key = Encoding.UTF8.GetBytes(text);
        if (key.Length != SseCustomerKey.KeyLength)
            throw new CliException($"{verb}: {keyOption.Name} must be {SseCustomerKey.KeyLength} bytes (an AES-256 key), not {key.Length}", Program.ExitUsage);
        return new SseCustomerKey(key);
    }

    /// <summary>--object-lock-retain-until-date (UTC unless it says), which goes with --object-lock-mode.</summary>
    private DateTimeOffset? RetainUntil(ParseResult parse, string verb)
    {
        string? text = parse.GetValue(ObjectLockRetainUntilDate);
        if ((text is null) != (parse.GetValue(ObjectLockMode) is null))
            throw new CliException($"{verb}: --object-lock-mode and --object-lock-retain-until-date go together", Program.ExitUsage);
        if (text is null) return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
            throw new CliException($"{verb}: --object-lock-retain-until-date: '{text}' is not a date and time such as 2030-01-01T00:00:00Z", Program.ExitUsage);
        return at.ToUniversalTime();
    }

    private bool? LegalHoldOf(ParseResult parse) => parse.GetValue(ObjectLockLegalHold) switch
    {
        null => null,
        "ON" => true,
        _ => false,
    };

    /// <summary>--expires as the HTTP date S3 stores: an ISO 8601 date and time (UTC unless it says) or an HTTP date.</summary>
    private string? HttpDate(ParseResult parse, string verb)
    {
        if (parse.GetValue(Expires) is not { } text) return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
            throw new CliException($"{verb}: --expires: '{text}' is not a date and time such as 2026-12-31T00:00:00Z", Program.ExitUsage);
        return at.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
    }

    /// <summary>--metadata as aws takes it: the shorthand key=value,key2=value2 or a JSON object of strings.</summary>
    private Dictionary<string, string>? ParseMetadata(ParseResult parse, string verb)
    {
        if (parse.GetValue(Metadata) is not { } text) return null;
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                foreach (var p in json.RootElement.EnumerateObject())
                    metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new FormatException($"the value of '{p.Name}' is not a string");
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new CliException($"{verb}: --metadata: {e.Message}", Program.ExitUsage);
            }
        }
        else
        {
            foreach (string pair in text.Split(','))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new CliException($"{verb}: --metadata: '{pair}' is not key=value", Program.ExitUsage);
                metadata[pair[..eq].Trim()] = pair[(eq + 1)..];
            }
        }
        foreach (var (name, value) in metadata)
        {
            // Header names are tokens; values go out as header text (S3 keeps them ASCII).
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c)))
                throw new CliException($"{verb}: --metadata: '{name}' cannot be a header name", Program.ExitUsage);
            if (value.Any(c => c < ' ' || c >= 127))
                throw new CliException($"{verb}: --metadata: the value of '{name}' must be printable ASCII", Program.ExitUsage);
        }
        return metadata;
    }

    /// <summary>--tagging: a URL-encoded query string of tags, as S3's x-amz-tagging.</summary>
    private Dictionary<string, string>? ParseTags(ParseResult parse, string verb)
    {
        if (parse.GetValue(Tagging) is not { } text) return null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]), value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (key.Length == 0 || !tags.TryAdd(key, value))
                throw new CliException($"{verb}: --tagging: '{pair}' is {(key.Length == 0 ? "not key=value" : "a repeated key")}", Program.ExitUsage);
        }
        return tags;
    }
}
