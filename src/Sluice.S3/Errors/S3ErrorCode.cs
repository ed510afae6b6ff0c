using System.Collections.Frozen;

namespace Sluice.S3.Errors;

/// <summary>
/// Well-known S3 error codes and what each means on the wire. Statuses and messages follow the AWS S3 API
/// reference, "Error responses" / "List of error codes"
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
/// </summary>
/// <remarks>
/// Retryable (for a client resending the same request, <see cref="IsRetryable"/>): the 5xx codes (InternalError,
/// ServiceUnavailable, SlowDown — with backoff), RequestTimeout (the connection stalled; AWS SDKs treat it as
/// transient), OperationAborted (a conflicting operation was in progress; the reference says "Try again"),
/// IncompleteBody (the body was cut short in transit) and RequestTimeTooSkewed (retry once after correcting the
/// clock offset from the response's Date header, as the AWS SDKs do); throttling of any kind
/// (<see cref="IsThrottle"/>); and, whatever the code, the statuses the AWS SDKs' standard retry mode treats as
/// transient: 500, 502, 503 and 504. Integrity mismatches (BadDigest, XAmzContentSHA256Mismatch) are not: a
/// deterministic client bug would loop; the transfer layer may choose to resend after re-reading the source.
/// NotImplemented (501) is an answer about the request. Everything else is the caller's mistake and fails the same
/// way again.
/// </remarks>
public static class S3ErrorCode
{
    public const string AccessDenied = nameof(AccessDenied);

    /// <summary>A CORS preflight S3 refuses (no configuration, or no rule matches): 403, with Method and ResourceType.</summary>
    public const string AccessForbidden = nameof(AccessForbidden);

    /// <summary>A CORS preflight without the headers it needs (Origin, Access-Control-Request-Method).</summary>
    public const string BadRequest = nameof(BadRequest);
    public const string AuthorizationHeaderMalformed = nameof(AuthorizationHeaderMalformed);
    public const string AuthorizationQueryParametersError = nameof(AuthorizationQueryParametersError);
    public const string BadDigest = nameof(BadDigest);
    public const string BucketAlreadyExists = nameof(BucketAlreadyExists);
    public const string BucketAlreadyOwnedByYou = nameof(BucketAlreadyOwnedByYou);
    public const string BucketNotEmpty = nameof(BucketNotEmpty);
    public const string EntityTooLarge = nameof(EntityTooLarge);
    public const string EntityTooSmall = nameof(EntityTooSmall);
    public const string ExpiredToken = nameof(ExpiredToken);
    public const string IncompleteBody = nameof(IncompleteBody);
    public const string InternalError = nameof(InternalError);
    public const string InvalidAccessKeyId = nameof(InvalidAccessKeyId);
    public const string InvalidArgument = nameof(InvalidArgument);
    public const string InvalidBucketName = nameof(InvalidBucketName);
    public const string InvalidBucketState = nameof(InvalidBucketState);
    public const string InvalidDigest = nameof(InvalidDigest);
    public const string InvalidLocationConstraint = nameof(InvalidLocationConstraint);
    public const string InvalidObjectState = nameof(InvalidObjectState);
    public const string InvalidPart = nameof(InvalidPart);
    public const string InvalidPartNumber = nameof(InvalidPartNumber);
    public const string InvalidPartOrder = nameof(InvalidPartOrder);
    public const string InvalidRange = nameof(InvalidRange);
    public const string InvalidRequest = nameof(InvalidRequest);
    public const string InvalidStorageClass = nameof(InvalidStorageClass);
    public const string InvalidTag = nameof(InvalidTag);
    public const string InvalidToken = nameof(InvalidToken);
    public const string InvalidURI = nameof(InvalidURI);
    public const string KeyTooLongError = nameof(KeyTooLongError);
    public const string MalformedACLError = nameof(MalformedACLError);
    public const string MalformedXML = nameof(MalformedXML);
    public const string MalformedPOSTRequest = nameof(MalformedPOSTRequest);
    public const string InvalidPolicyDocument = nameof(InvalidPolicyDocument);
    public const string MaxPostPreDataLengthExceeded = nameof(MaxPostPreDataLengthExceeded);
    public const string IncorrectNumberOfFilesInPostRequest = nameof(IncorrectNumberOfFilesInPostRequest);
    public const string MaxMessageLengthExceeded = nameof(MaxMessageLengthExceeded);
    public const string MetadataTooLarge = nameof(MetadataTooLarge);
    public const string MethodNotAllowed = nameof(MethodNotAllowed);
    public const string MissingContentLength = nameof(MissingContentLength);
    public const string MissingRequestBodyError = nameof(MissingRequestBodyError);
    public const string MissingSecurityHeader = nameof(MissingSecurityHeader);
    public const string NoSuchBucket = nameof(NoSuchBucket);
    public const string UnresolvableGrantByEmailAddress = nameof(UnresolvableGrantByEmailAddress);
    public const string NoSuchKey = nameof(NoSuchKey);
    public const string NoSuchLifecycleConfiguration = nameof(NoSuchLifecycleConfiguration);
    public const string NoSuchCORSConfiguration = nameof(NoSuchCORSConfiguration);
    public const string ServerSideEncryptionConfigurationNotFoundError = nameof(ServerSideEncryptionConfigurationNotFoundError);
    public const string InvalidEncryptionAlgorithmError = nameof(InvalidEncryptionAlgorithmError);

    /// <summary>An SSE-KMS key id the key service does not know (S3 passes KMS's code on with its prefix).</summary>
    public const string KmsNotFound = "KMS.NotFoundException";
    public const string NoSuchTagSet = nameof(NoSuchTagSet);
    public const string NoSuchBucketPolicy = nameof(NoSuchBucketPolicy);
    public const string NoSuchPublicAccessBlockConfiguration = nameof(NoSuchPublicAccessBlockConfiguration);
    public const string OwnershipControlsNotFoundError = nameof(OwnershipControlsNotFoundError);
    public const string AccessControlListNotSupported = nameof(AccessControlListNotSupported);
    public const string InvalidBucketAclWithObjectOwnership = nameof(InvalidBucketAclWithObjectOwnership);
    public const string MalformedPolicy = nameof(MalformedPolicy);
    public const string PolicyTooLarge = nameof(PolicyTooLarge);
    public const string ObjectLockConfigurationNotFoundError = nameof(ObjectLockConfigurationNotFoundError);
    public const string InvalidRetentionPeriod = nameof(InvalidRetentionPeriod);
    public const string NoSuchObjectLockConfiguration = nameof(NoSuchObjectLockConfiguration);
    public const string NoSuchUpload = nameof(NoSuchUpload);
    public const string NoSuchVersion = nameof(NoSuchVersion);
    public const string NotImplemented = nameof(NotImplemented);
    public const string NotModified = nameof(NotModified);
    public const string OperationAborted = nameof(OperationAborted);
    public const string PermanentRedirect = nameof(PermanentRedirect);
    public const string PreconditionFailed = nameof(PreconditionFailed);
    public const string RequestTimeout = nameof(RequestTimeout);
    public const string RequestTimeTooSkewed = nameof(RequestTimeTooSkewed);
    public const string ServiceUnavailable = nameof(ServiceUnavailable);
    public const string SignatureDoesNotMatch = nameof(SignatureDoesNotMatch);
    public const string SlowDown = nameof(SlowDown);
    public const string TemporaryRedirect = nameof(TemporaryRedirect);
    public const string TooManyBuckets = nameof(TooManyBuckets);
    public const string UnexpectedContent = nameof(UnexpectedContent);
    public const string XAmzContentSHA256Mismatch = nameof(XAmzContentSHA256Mismatch);

    /// <summary>S3 over RDMA: the x-amz-rdma-token is malformed, unknown, or names memory the caller did not register.</summary>
    public const string InvalidRDMAToken = nameof(InvalidRDMAToken);
    /// <summary>S3 over RDMA: the direct transfer failed after the server accepted the token (nothing was stored).</summary>
    public const string RDMATransferFailed = nameof(RDMATransferFailed);
    /// <summary>S3 over RDMA: the server does not place this request directly; the client resends it with a body.</summary>
    public const string RDMANotSupported = nameof(RDMANotSupported);

    /// <summary>Sluice's memory store is full (507; not retryable: space comes back only when objects are deleted).</summary>
    public const string XSluiceStorageFull = nameof(XSluiceStorageFull);

    private static readonly FrozenSet<string> ThrottleCodes = new[]
    {
        SlowDown, "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests", "RequestThrottled",
        "BandwidthLimitExceeded",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, S3ErrorInfo> Known = new Dictionary<string, S3ErrorInfo>(StringComparer.Ordinal)
    {
        [AccessDenied] = new(403, "Access Denied", false),
        [AccessForbidden] = new(403, "CORSResponse: This CORS request is not allowed.", false),
        [BadRequest] = new(400, "Bad Request", false),
        [MalformedACLError] = new(400, "The XML you provided was not well-formed or did not validate against our published schema.", false),
        [UnresolvableGrantByEmailAddress] = new(400, "The email address you provided does not match any account on record.", false),
        [AuthorizationHeaderMalformed] = new(400, "The authorization header you provided is invalid.", false),
        [AuthorizationQueryParametersError] = new(400, "The authorization query parameters you provided are invalid.", false),
        [BadDigest] = new(400, "The Content-MD5 or checksum value that you specified did not match what the server received.", false),
        [BucketAlreadyExists] = new(409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", false),
        [BucketAlreadyOwnedByYou] = new(409, "The bucket you tried to create already exists, and you own it.", false),
        [BucketNotEmpty] = new(409, "The bucket you tried to delete is not empty.", false),
        [EntityTooLarge] = new(400, "Your proposed upload exceeds the maximum allowed object size.", false),
        [EntityTooSmall] = new(400, "Your proposed upload is smaller than the minimum allowed object size.", false),
        [ExpiredToken] = new(400, "The provided token has expired.", false),
        [IncompleteBody] = new(400, "You did not provide the number of bytes specified by the Content-Length HTTP header.", true),
        [InternalError] = new(500, "We encountered an internal error. Please try again.", true),
        [InvalidAccessKeyId] = new(403, "The AWS access key ID you provided does not exist in our records.", false),
        [InvalidArgument] = new(400, "Invalid Argument", false),
        [InvalidBucketName] = new(400, "The specified bucket is not valid.", false),
        [InvalidBucketState] = new(409, "The request is not valid with the current state of the bucket.", false),
        [InvalidDigest] = new(400, "The Content-MD5 you specified is not valid.", false),
        [InvalidLocationConstraint] = new(400, "The specified location constraint is not valid.", false),
        [InvalidObjectState] = new(403, "The action is not valid for the current state of the object.", false),
        [InvalidPart] = new(400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.", false),
        [InvalidPartNumber] = new(416, "The requested partnumber is not satisfiable", false),
        [InvalidPartOrder] = new(400, "The list of parts was not in ascending order. Parts list must be specified in order by part number.", false),
        [InvalidRange] = new(416, "The requested range cannot be satisfied.", false),
        [InvalidRequest] = new(400, "Invalid Request", false),
        [InvalidStorageClass] = new(400, "The storage class you specified is not valid.", false),
        [InvalidTag] = new(400, "The tag provided was not a valid tag.", false),
        [InvalidToken] = new(400, "The provided token is malformed or otherwise invalid.", false),
        [InvalidURI] = new(400, "Couldn't parse the specified URI.", false),
        [KeyTooLongError] = new(400, "Your key is too long.", false),
        [MalformedXML] = new(400, "The XML you provided was not well-formed or did not validate against our published schema.", false),
        [MaxMessageLengthExceeded] = new(400, "Your request was too big.", false),
        [MalformedPOSTRequest] = new(400, "The body of your POST request is not well-formed multipart/form-data.", false),
        [InvalidPolicyDocument] = new(400, "The content of the form does not meet the conditions specified in the policy document.", false),
        [MaxPostPreDataLengthExceeded] = new(400, "Your POST request fields preceding the upload file were too large.", false),
        [IncorrectNumberOfFilesInPostRequest] = new(400, "POST requires exactly one file upload per request.", false),
        [MetadataTooLarge] = new(400, "Your metadata headers exceed the maximum allowed metadata size.", false),
        [MethodNotAllowed] = new(405, "The specified method is not allowed against this resource.", false),
        [MissingContentLength] = new(411, "You must provide the Content-Length HTTP header.", false),
        [MissingRequestBodyError] = new(400, "Request Body is empty.", false),
        [MissingSecurityHeader] = new(400, "Your request is missing a required header.", false),
        [NoSuchBucket] = new(404, "The specified bucket does not exist.", false),
        [NoSuchKey] = new(404, "The specified key does not exist.", false),
        [NoSuchLifecycleConfiguration] = new(404, "The lifecycle configuration does not exist.", false),
        [NoSuchCORSConfiguration] = new(404, "The CORS configuration does not exist", false),
        [ServerSideEncryptionConfigurationNotFoundError] = new(404, "The server side encryption configuration was not found", false),
        [InvalidEncryptionAlgorithmError] = new(400, "The encryption request you specified is not valid. The valid value is AES256.", false),
        [KmsNotFound] = new(400, "Invalid keyId", false),
        [NoSuchTagSet] = new(404, "The TagSet does not exist.", false),
        [NoSuchBucketPolicy] = new(404, "The bucket policy does not exist", false),
        [NoSuchPublicAccessBlockConfiguration] = new(404, "The public access block configuration was not found", false),
        [OwnershipControlsNotFoundError] = new(404, "The bucket ownership controls were not found", false),
        [AccessControlListNotSupported] = new(400, "The bucket does not allow ACLs", false),
        [InvalidBucketAclWithObjectOwnership] = new(400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", false),
        [MalformedPolicy] = new(400, "Policies must be valid JSON and the first byte must be '{'", false),
        [PolicyTooLarge] = new(400, "Policy exceeds the maximum allowed document size.", false),
        [ObjectLockConfigurationNotFoundError] = new(404, "Object Lock configuration does not exist for this bucket", false),
        [NoSuchObjectLockConfiguration] = new(404, "The specified object does not have a ObjectLock configuration", false),
        [InvalidRetentionPeriod] = new(400, "Default retention period must be a positive integer value.", false),
        [NoSuchUpload] = new(404, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.", false),
        [NoSuchVersion] = new(404, "The version ID specified in the request does not match an existing version.", false),
        [NotImplemented] = new(501, "A header you provided implies functionality that is not implemented.", false),
        [NotModified] = new(304, "Not Modified", false),
        [OperationAborted] = new(409, "A conflicting conditional operation is currently in progress against this resource. Try again.", true),
        [PermanentRedirect] = new(301, "The bucket you are attempting to access must be addressed using the specified endpoint. Send all future requests to this endpoint.", false),
        [PreconditionFailed] = new(412, "At least one of the preconditions you specified did not hold.", false),
        [RequestTimeout] = new(400, "Your socket connection to the server was not read from or written to within the timeout period.", true),
        [RequestTimeTooSkewed] = new(403, "The difference between the request time and the server's time is too large.", true),
        [ServiceUnavailable] = new(503, "Reduce your request rate.", true),
        [SignatureDoesNotMatch] = new(403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.", false),
        [SlowDown] = new(503, "Please reduce your request rate.", true),
        [TemporaryRedirect] = new(307, "You are being redirected to the bucket while DNS updates.", false),
        [TooManyBuckets] = new(400, "You have attempted to create more buckets than allowed.", false),
        [UnexpectedContent] = new(400, "This request does not support content.", false),
        [InvalidRDMAToken] = new(400, "The x-amz-rdma-token is malformed or names memory this client did not register.", false),
        [RDMATransferFailed] = new(500, "The direct memory transfer failed; nothing was stored.", true),
        [RDMANotSupported] = new(501, "This server does not place data directly for this request; send it with a body.", false),
        [XAmzContentSHA256Mismatch] = new(400, "The provided 'x-amz-content-sha256' header does not match what was computed.", false),
        [XSluiceStorageFull] = new(507, "The server's storage is full: nothing was stored.", false),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Looks up a code; false for codes this table does not know.</summary>
    public static bool TryGetInfo(string code, out S3ErrorInfo info)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Known.TryGetValue(code, out info);
    }

    /// <summary>The HTTP status S3 sends <paramref name="code"/> with, or null when the code is unknown.</summary>
    public static int? HttpStatusFor(string code) => TryGetInfo(code, out S3ErrorInfo info) ? info.HttpStatus : null;

    /// <summary>
    /// Whether a client may resend the request that failed with <paramref name="code"/> (null when the answer had
    /// no error body) and <paramref name="httpStatus"/>: a retryable code from the table, a throttle, or a transient
    /// status (500, 502, 503, 504), as the AWS SDKs' standard retry mode decides. An error inside a 200 (CopyObject,
    /// CompleteMultipartUpload) goes by its code.
    /// </summary>
    public static bool IsRetryable(string? code, int httpStatus) =>
        (code is not null && Known.TryGetValue(code, out S3ErrorInfo info) && info.Retryable)
        || IsThrottle(code, httpStatus)
        || httpStatus is 500 or 502 or 503 or 504;

    /// <summary>
    /// True when the server refused for load, not for the request: 429 or 503, or one of the throttling codes the
    /// AWS SDKs know (S3 sends SlowDown; S3-compatible services and gateways send the others). The server did not
    /// act on the request, so even a non-idempotent one may be sent again.
    /// </summary>
    public static bool IsThrottle(string? code, int httpStatus) =>
        httpStatus is 429 or 503 || (code is not null && ThrottleCodes.Contains(code));
}
