using System.Buffers;
using System.Globalization;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Naming;
using Sluice.S3.Tagging;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Post;
using Sluice.Server.Service;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

public sealed partial class S3RequestHandler
{
    /// <summary>S3's limit on the form fields before the file (MaxPostPreDataLengthExceeded past it).</summary>
    private const int MaxPostPreData = 20 * 1024;

    /// <summary>What may follow the file part (fields S3 ignores, the closing delimiter) before the request is refused.</summary>
    private const int MaxPostTrailingData = 64 * 1024;

    /// <summary>x-amz-* form fields the server reads; any other x-amz-* field asks for something it lacks (501).</summary>
    private static readonly HashSet<string> PostAmzFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "x-amz-security-token", "x-amz-storage-class",
        "x-amz-checksum-algorithm",
    };

    /// <summary>
    /// POST object (a browser form upload): the multipart/form-data body is read as it streams — the fields before the
    /// file (at most 20 KiB), then the file part straight into the store through the same writer PutObject uses
    /// (durable, checksummed) — after the form's signature (SigV4 x-amz-* fields or SigV2 AWSAccessKeyId/signature over
    /// the base64 policy) and its policy (expiration, conditions, no field outside them) are checked, and the signer (for
    /// an unsigned form, the anonymous principal) is judged for s3:PutObject on the bucket. Answers 204 (or success_action_status 200/201, 201 with
    /// the PostResponse XML) or a 303 to success_action_redirect.
    /// </summary>
    internal async ValueTask PostObjectAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        string? boundary = MultipartFormReader.BoundaryOf(Header(x, KnownHeader.ContentType));
        if (boundary == null)
            ThrowProblem(S3ErrorCode.PreconditionFailed, "Bucket POST must be of the enclosure-type multipart/form-data");
        await _objects.GetBucketAsync(bucket);
        c.Payload.Reset(x, auth);
        using var form = new MultipartFormReader(c.Payload, boundary!);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        FormPart? file = null;
        while (await form.NextPartAsync() is { } part)
        {
            // The file is the last field S3 reads: fields after it are ignored.
            if (part.Name.Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                file = part;
                break;
            }
            string value = await form.ReadFieldAsync(MaxPostPreData, PreDataTooLarge);
            if (form.Consumed > MaxPostPreData) throw PreDataTooLarge();
            if (!fields.TryAdd(part.Name, value))
                throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, $"The form field '{part.Name}' appears more than once.")
                    .WithDetail("ArgumentName", part.Name));
        }
        if (file == null)
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, "POST requires exactly one file upload per request.")
                .WithDetail("ArgumentName", "file").WithDetail("ArgumentValue", "0"));
        if (!fields.TryGetValue("key", out string? key))
            throw MissingField("key");
        // ${filename} names the object after the file the browser sent (its base name).
        key = key.Replace("${filename}", Path.GetFileName((file.FileName ?? "").Replace('\\', '/')), StringComparison.Ordinal);
        fields["key"] = key;
        var keyProblem = ObjectKeyRules.Validate(Encoding.UTF8.GetBytes(key));
        if (key.Length == 0) throw MissingField("key");
        if (!keyProblem.IsNone) throw new S3RequestException(keyProblem.ToError());

        var policy = AuthenticateForm(c, auth, fields, out var signer);
        policy?.Check(fields, bucket, DateTimeOffset.UtcNow);
        // The form's signer (or the anonymous principal) must be allowed s3:PutObject on the bucket: its WRITE ACL
        // grant, the bucket policy, or ownership.
        if (await AuthorizeAsync(x, c, auth, PrincipalOf(signer)) is { } denied) throw new S3RequestException(denied);

        var attributes = PostAttributes(fields);
        if (ObjectAclFor(x, c) is { } acl) attributes = attributes with { Acl = acl }; // another user's upload is theirs
        var (algorithm, expectedChecksum) = PostChecksum(fields);
        string? contentMd5 = fields.GetValueOrDefault("Content-MD5");
        CheckContentMd5Syntax(contentMd5);
        if (await GetBucketEncryptionAsync(bucket) != null)
            ThrowProblem(S3ErrorCode.NotImplemented, "POST uploads to a bucket with default encryption are not implemented.");

        form.PartLimit = Math.Min(policy?.MaxLength ?? MaxPutSize, MaxPutSize);
        ObjectMetadata metadata;
        await using (var writer = await _objects.BeginPutAsync(bucket, key, algorithm))
        {
            await _objects.WriteBodyAsync(form, -1, writer);
            policy?.CheckLength(form.PartLength);
            // The rest of the body (a signed payload is verified only at its end) before anything is committed.
            if (!await form.DrainAsync(MaxPostTrailingData))
                ThrowProblem(S3ErrorCode.MalformedPOSTRequest, "Too much data follows the file field of the POST request.");
            metadata = await ObjectService.PutAsync(writer, attributes, contentMd5, expectedChecksum, null);
        }
        await SendPostResultAsync(x, c, fields, bucket, key, metadata);
    }

    private static S3RequestException PreDataTooLarge() => new(new S3Error(S3ErrorCode.MaxPostPreDataLengthExceeded,
        "Your POST request fields preceeding the upload file was too large.").WithDetail("MaxPostPreDataLength",
        MaxPostPreData.ToString(CultureInfo.InvariantCulture)));

    private static S3RequestException MissingField(string name) => new(new S3Error(S3ErrorCode.InvalidArgument,
        $"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.")
        .WithDetail("ArgumentName", name).WithDetail("ArgumentValue", ""));

    /// <summary>
    /// Who signed the form, checked: SigV4 fields (x-amz-algorithm, -credential, -date, -signature over the policy with
    /// the scope's signing key) or SigV2 (AWSAccessKeyId, signature: HMAC-SHA1 of the policy). A request signed in its
    /// header instead acts as its signer. Returns the policy to enforce (null: an unsigned form, or a header-signed
    /// request without one).
    /// </summary>
    private PostPolicy? AuthenticateForm(RequestContext c, SigV4AuthResult auth, Dictionary<string, string> fields,
        out SigV4Credential? signer)
    {
        signer = auth.IsAuthenticated ? auth.Credential : null;
        string? policyText = fields.GetValueOrDefault("policy");
        bool v4 = fields.ContainsKey("x-amz-signature") || fields.ContainsKey("x-amz-algorithm") || fields.ContainsKey("x-amz-credential");
        bool v2 = fields.ContainsKey("AWSAccessKeyId") || fields.ContainsKey("signature");
        if (v4 && v2)
            ThrowProblem(S3ErrorCode.InvalidArgument, "Only one auth mechanism allowed; the form carries both SigV4 and SigV2 fields.");
        if (!v4 && !v2)
        {
            if (auth.IsAuthenticated) return policyText == null ? null : PostPolicy.Parse(policyText);
            if (policyText != null) throw MissingField("AWSAccessKeyId");
            return null; // an unsigned form: the anonymous principal's, allowed what the bucket's ACL or policy grants

        }
        if (policyText == null) throw MissingField("policy");
        SigV4Credential credential;
        if (v4)
        {
            string algorithm = fields.GetValueOrDefault("x-amz-algorithm") ?? throw MissingField("x-amz-algorithm");
            string credentialText = fields.GetValueOrDefault("x-amz-credential") ?? throw MissingField("x-amz-credential");
            string date = fields.GetValueOrDefault("x-amz-date") ?? throw MissingField("x-amz-date");
            string signature = fields.GetValueOrDefault("x-amz-signature") ?? throw MissingField("x-amz-signature");
            if (algorithm != "AWS4-HMAC-SHA256")
                throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, "Only AWS4-HMAC-SHA256 is supported as x-amz-algorithm.")
                    .WithDetail("ArgumentName", "x-amz-algorithm").WithDetail("ArgumentValue", algorithm));
            string[] scope = credentialText.Split('/');
            if (scope.Length < 5 || scope[^1] != "aws4_request" || scope[^2] != "s3" || scope[^4].Length != 8
                || !date.StartsWith(scope[^4], StringComparison.Ordinal) || date.Length != 16)
                throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument,
                    "The x-amz-credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\" dated as x-amz-date.")
                    .WithDetail("ArgumentName", "x-amz-credential").WithDetail("ArgumentValue", credentialText));
            string accessKey = string.Join('/', scope[..^4]);
            credential = _auth.FindCredential(accessKey) ?? throw UnknownKey(accessKey);
            CheckFormToken(credential, fields);
            if (!PostPolicySignature.VerifyV4(credential, scope[^4], scope[^3], scope[^2], policyText, signature))
                ThrowProblem(S3ErrorCode.SignatureDoesNotMatch,
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        }
        else
        {
            string accessKey = fields.GetValueOrDefault("AWSAccessKeyId") ?? throw MissingField("AWSAccessKeyId");
            string signature = fields.GetValueOrDefault("signature") ?? throw MissingField("Signature");
            credential = _auth.FindCredential(accessKey) ?? throw UnknownKey(accessKey);
            CheckFormToken(credential, fields);
            if (!PostPolicySignature.VerifyV2(credential, policyText, signature))
                ThrowProblem(S3ErrorCode.SignatureDoesNotMatch,
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        }
        c.Principal = credential.AccessKeyId;
        signer = credential;
        return PostPolicy.Parse(policyText);
    }

    private static S3RequestException UnknownKey(string accessKey) => new(new S3Error(S3ErrorCode.InvalidAccessKeyId,
        "The AWS Access Key Id you provided does not exist in our records.").WithDetail("AWSAccessKeyId", accessKey));

    private static void CheckFormToken(SigV4Credential credential, Dictionary<string, string> fields)
    {
        if (credential.SessionToken == null) return;
        string? token = fields.GetValueOrDefault("x-amz-security-token");
        if (token == null) ThrowProblem(S3ErrorCode.MissingSecurityHeader, "Your request was missing a required field: x-amz-security-token.");
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token!),
                Encoding.UTF8.GetBytes(credential.SessionToken)))
            ThrowProblem(S3ErrorCode.InvalidToken);
    }

    /// <summary>The object's attributes from the form: content fields, x-amz-meta-*, storage class, tagging (XML).
    /// A field asking for a feature POST does not apply here (encryption, object lock, ACL grants) is 501.</summary>
    private static ObjectAttributes PostAttributes(Dictionary<string, string> fields)
    {
        List<KeyValuePair<string, byte[]>>? meta = null;
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            {
                meta ??= [];
                meta.Add(new(name["x-amz-meta-".Length..].ToLowerInvariant(), Encoding.UTF8.GetBytes(value)));
            }
            else if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !PostAmzFields.Contains(name)
                     && !name.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
            {
                ThrowProblem(S3ErrorCode.NotImplemented, $"The form field '{name}' is not implemented for POST uploads.");
            }
        }
        if (fields.TryGetValue("acl", out string? acl) && acl != "private")
            ThrowProblem(S3ErrorCode.NotImplemented, "Canned ACLs other than 'private' are not implemented.");
        string? storageClass = fields.GetValueOrDefault("x-amz-storage-class");
        if (storageClass != null && !StorageClasses.Contains(storageClass)) ThrowProblem(S3ErrorCode.InvalidStorageClass);
        IReadOnlyList<KeyValuePair<string, string>> tags = [];
        if (fields.TryGetValue("tagging", out string? tagging))
        {
            var parsed = Tagging.Read(Encoding.UTF8.GetBytes(tagging));
            if (!parsed.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, parsed.Detail);
            tags = parsed.Value!.TagSet.ToArray();
            var problem = TagRules.Validate(tags);
            if (!problem.IsNone) throw new S3RequestException(problem.ToError());
        }
        return new ObjectAttributes
        {
            ContentType = fields.GetValueOrDefault("Content-Type"),
            ContentEncoding = fields.GetValueOrDefault("Content-Encoding"),
            ContentDisposition = fields.GetValueOrDefault("Content-Disposition"),
            ContentLanguage = fields.GetValueOrDefault("Content-Language"),
            CacheControl = fields.GetValueOrDefault("Cache-Control"),
            Expires = fields.GetValueOrDefault("Expires"),
            StorageClass = storageClass is null or "STANDARD" ? null : storageClass,
            UserMetadata = (IReadOnlyList<KeyValuePair<string, byte[]>>?)meta ?? [],
            Tags = tags,
        };
    }

    /// <summary>The checksum the form declares: one x-amz-checksum-ALGORITHM value (checked against the file), or
    /// x-amz-checksum-algorithm alone (computed and stored).</summary>
    private static (ChecksumAlgorithm Algorithm, string? Value) PostChecksum(Dictionary<string, string> fields)
    {
        var algorithm = ChecksumAlgorithm.None;
        string? value = null;
        foreach (var (name, text) in fields)
        {
            if (!name.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-amz-checksum-algorithm", StringComparison.OrdinalIgnoreCase)) continue;
            if (!ChecksumAlgorithmExtensions.TryParseHeaderName(name.AsSpan(), out var named))
                ThrowProblem(S3ErrorCode.InvalidRequest, $"The form field '{name}' names no checksum algorithm.");
            if (algorithm != ChecksumAlgorithm.None) ThrowProblem(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- field.");
            algorithm = named;
            value = text.Trim();
        }
        if (fields.TryGetValue("x-amz-checksum-algorithm", out string? declared))
        {
            if (!ChecksumAlgorithmExtensions.TryParse(declared.Trim().AsSpan(), out var named) || (algorithm != ChecksumAlgorithm.None && named != algorithm))
                ThrowProblem(S3ErrorCode.InvalidRequest, "Value for x-amz-checksum-algorithm is invalid or names another checksum than the one sent.");
            algorithm = named;
        }
        return (algorithm, value);
    }

    /// <summary>The answer S3 gives a stored form upload: 303 to success_action_redirect (with bucket, key and etag),
    /// else success_action_status 200, 201 (PostResponse XML) or 204 (the default, and for any other value).</summary>
    private async ValueTask SendPostResultAsync(S3Exchange x, RequestContext c, Dictionary<string, string> fields, string bucket,
        string key, ObjectMetadata metadata)
    {
        string host = Header(x, KnownHeader.Host) ?? "localhost";
        string location = $"http://{host}/{Uri.EscapeDataString(bucket)}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";
        string? redirect = fields.GetValueOrDefault("success_action_redirect") ?? fields.GetValueOrDefault("redirect");
        if (redirect != null && (!Uri.TryCreate(redirect, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https")))
            redirect = null; // not a URL S3 would redirect to: the status answer instead
        int status = redirect != null ? 303 : fields.GetValueOrDefault("success_action_status") switch
        {
            "200" => 200,
            "201" => 201,
            _ => 204,
        };
        x.SetStatus(status);
        AddHeader(x, KnownHeader.ETag, metadata.ETag);
        AddChecksumHeaders(x, metadata);
        AddVersionHeader(x, metadata);
        AddExpirationHeader(x, c, metadata);
        if (redirect != null)
        {
            string query = $"bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(key)}&etag={Uri.EscapeDataString(metadata.ETag ?? "")}";
            x.AddHeader(KnownHeader.Location, Encoding.UTF8.GetBytes(redirect + (redirect.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query));
            await x.SendAsync(ReadOnlyMemory<byte>.Empty);
            return;
        }
        x.AddHeader(KnownHeader.Location, Encoding.UTF8.GetBytes(location));
        if (status != 201)
        {
            await x.SendAsync(ReadOnlyMemory<byte>.Empty);
            return;
        }
        var body = new ArrayBufferWriter<byte>(256);
        var w = new Utf8XmlWriter(body);
        w.WriteDeclaration();
        w.WriteStartElement("PostResponse"u8);
        w.WriteElement("Location"u8, location);
        w.WriteElement("Bucket"u8, bucket);
        w.WriteElement("Key"u8, key);
        w.WriteElement("ETag"u8, metadata.ETag ?? "");
        w.WriteEndElement("PostResponse"u8);
        w.Flush();
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        await x.SendAsync(body.WrittenMemory);
    }
}
