using System.Buffers;
using System.Text;
using Sluice.Client.Model;
using Sluice.Client.Transport;
using Sluice.IO;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Naming;
using Sluice.S3.Xml;

namespace Sluice.Client;

/// <summary>
/// An S3 client: one method per S3 operation, each one HTTP request (with retries), async, cancellable, over pooled
/// keep-alive HTTP/1.1 connections on Sluice's I/O engine. Errors are <see cref="S3Exception"/>. Thread-safe; create
/// one per endpoint and credential and share it. See docs/client.md.
/// </summary>
public sealed partial class S3Client : IAsyncDisposable
{
    private readonly S3Transport _transport;

    /// <summary>Creates a client. Without <paramref name="engine"/> the client starts (and later disposes) its own.</summary>
    public S3Client(S3ClientOptions options, IoEngine? engine = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint);
        if (options.CredentialsProvider is null)
        {
            ArgumentException.ThrowIfNullOrEmpty(options.AccessKeyId);
            ArgumentException.ThrowIfNullOrEmpty(options.SecretAccessKey);
        }

        ArgumentException.ThrowIfNullOrEmpty(options.Region);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Retry.MaxAttempts, 1);
        bool owns = engine is null;
        engine ??= IoEngine.Create(new IoEngineOptions { ReactorCount = Math.Min(OwnReactors, Environment.ProcessorCount) },
            static _ => { });
        _transport = new S3Transport(options, engine, owns);
    }

    /// <summary>Reactors of an engine the client starts for itself.</summary>
    private const int OwnReactors = 2;

    /// <summary>Most keys one DeleteObjects request may carry.</summary>
    public const int MaxDeleteBatch = 1000;

    public S3ClientOptions Options => _transport.Options;

    /// <summary>The I/O engine the connections run on.</summary>
    public IoEngine Engine => _transport.Engine;

    /// <summary>Connections opened so far (all hosts); with keep-alive this stays near the concurrency.</summary>
    public int ConnectionsOpened => _transport.ConnectionsOpened;

    /// <summary>
    /// Responses that arrived over HTTP/2 so far (as .NET's HTTP/2 implementation reports the wire protocol); 0 on
    /// HTTP/1.1. Diagnostics, and proof in tests that <see cref="HttpProtocol.Http2"/> did not fall back.
    /// </summary>
    public int Http2Responses => _transport.Http2Responses;

    /// <summary>Tokens left in the retry budget.</summary>
    public int RetryBudgetAvailable => _transport.RetryBudgetAvailable;

    /// <summary>What throttling this client met: throttled answers, their retries, quota give-ups, and each throttled
    /// prefix's rate (see <see cref="Retry.PrefixRateOptions"/>).</summary>
    public Retry.ThrottlingReport Throttling => _transport.Throttling;

    /// <summary>The per-prefix rate limiter (state of the prefixes slowed after throttling).</summary>
    public Retry.PrefixRateLimiter PrefixRates => _transport.PrefixRates;

    /// <summary>True when requests for <paramref name="bucket"/> use path-style addressing.</summary>
    public bool UsesPathStyle(string bucket) => _transport.AddressingOf(bucket) == S3Addressing.PathStyle;

    public ValueTask DisposeAsync()
    {
        DisposePlacement();
        return _transport.DisposeAsync();
    }

    private static string Encode(string value) => SigV4Encoding.UriEncode(value, keepSlash: false);

    private static void AddQuery(StringBuilder query, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(Encode(value));
    }

    private static void AddHeader(ref List<KeyValuePair<string, string>>? headers, string name, string? value)
    {
        if (value is not null)
        {
            (headers ??= []).Add(new(name, value));
        }
    }

    private static void AddMetadata(ref List<KeyValuePair<string, string>>? headers, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (KeyValuePair<string, string> m in metadata)
        {
            AddHeader(ref headers, "x-amz-meta-" + m.Key, m.Value);
        }
    }

    private static void AddEncryption(ref List<KeyValuePair<string, string>>? headers, ServerSideEncryptionMethod? method, string? kmsKeyId,
        SseCustomerKey? customerKey)
    {
        if (method is { } m)
        {
            AddHeader(ref headers, "x-amz-server-side-encryption", m switch
            {
                ServerSideEncryptionMethod.Aes256 => "AES256",
                ServerSideEncryptionMethod.AwsKms => "aws:kms",
                ServerSideEncryptionMethod.AwsKmsDsse => "aws:kms:dsse",
                _ => throw new ArgumentOutOfRangeException(nameof(method), m, "not a server-side encryption method"),
            });
        }

        AddHeader(ref headers, "x-amz-server-side-encryption-aws-kms-key-id", kmsKeyId);
        AddCustomerKey(ref headers, customerKey, "x-amz-");
    }

    private static void AddCustomerKey(ref List<KeyValuePair<string, string>>? headers, SseCustomerKey? key, string prefix)
    {
        if (key is not null)
        {
            key.AddTo(headers ??= [], prefix);
        }
    }

    private static void AddAcl(ref List<KeyValuePair<string, string>>? headers, CannedAcl? acl)
    {
        if (acl is { } a)
        {
            AddHeader(ref headers, "x-amz-acl", AclName(a));
        }
    }

    /// <summary>The wire name of a canned ACL.</summary>
    public static string AclName(CannedAcl acl) => acl switch
    {
        CannedAcl.Private => "private",
        CannedAcl.PublicRead => "public-read",
        CannedAcl.PublicReadWrite => "public-read-write",
        CannedAcl.AuthenticatedRead => "authenticated-read",
        CannedAcl.AwsExecRead => "aws-exec-read",
        CannedAcl.BucketOwnerRead => "bucket-owner-read",
        CannedAcl.BucketOwnerFullControl => "bucket-owner-full-control",
        CannedAcl.LogDeliveryWrite => "log-delivery-write",
        _ => throw new ArgumentOutOfRangeException(nameof(acl), acl, "not a canned ACL"),
    };

    /// <summary>x-amz-tagging: the tag set as a URL-encoded query string.</summary>
    private static void AddTags(ref List<KeyValuePair<string, string>>? headers, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return;
        }

        var query = new StringBuilder();
        foreach (KeyValuePair<string, string> tag in tags)
        {
            if (query.Length > 0)
            {
                query.Append('&');
            }

            query.Append(Encode(tag.Key)).Append('=').Append(Encode(tag.Value));
        }

        AddHeader(ref headers, "x-amz-tagging", query.ToString());
    }

    private static void AddConditions(ref List<KeyValuePair<string, string>>? headers, ObjectConditions? conditions, string prefix)
    {
        if (conditions is not null)
        {
            conditions.AddTo(headers ??= [], prefix);
        }
    }

    private static string CopySource(string bucket, string key, string? versionId) =>
        "/" + bucket + "/" + SigV4Encoding.UriEncode(key, keepSlash: true) + (versionId is null ? "" : "?versionId=" + Encode(versionId));

    // The checksum a write sends (PutObject, UploadPart): none, the caller's precomputed value, or one computed here.
    private static string? WriteChecksum(ChecksumAlgorithm algorithm, string? given, ReadOnlySpan<byte> body) =>
        algorithm == ChecksumAlgorithm.None ? null : given ?? ComputeChecksum(algorithm, body);

    private static async ValueTask<string?> WriteChecksumAsync(ChecksumAlgorithm algorithm, string? given, Stream body,
        long length, CancellationToken cancellationToken) =>
        algorithm == ChecksumAlgorithm.None ? null
            : given ?? await ComputeChecksumAsync(algorithm, body, length, cancellationToken).ConfigureAwait(false);

    private static string ComputeChecksum(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[ChecksumAlgorithmExtensions.MaxHashLength];
        int n = S3Checksum.HashData(algorithm, data, hash);
        return Convert.ToBase64String(hash[..n]);
    }

    private static async Task<string> ComputeChecksumAsync(ChecksumAlgorithm algorithm, Stream body, long length,
        CancellationToken cancellationToken)
    {
        if (!body.CanSeek)
        {
            throw new ArgumentException("A checksum of a non-seekable stream must be given precomputed (ChecksumValue).");
        }

        long start = body.Position;
        using var checksum = new S3Checksum(algorithm);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long left = length;
            while (left > 0)
            {
                int n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ArgumentException($"The body stream ended {left} bytes before the declared length of {length}.");
                }

                checksum.Append(buffer.AsSpan(0, n));
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        body.Position = start;
        Span<char> text = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
        checksum.TryFormatBase64(text, out int written);
        return new string(text[..written]);
    }

    /// <summary>Sends a call whose 2xx body is XML and parses it with <paramref name="read"/>.</summary>
    private async Task<T> SendXmlAsync<T>(S3Call call, Func<ReadOnlyMemory<byte>, XmlReadResult<T>> read,
        CancellationToken cancellationToken)
        where T : class
    {
        S3CallResult result = await _transport.SendAsync(call, ResponseSink.Collect, cancellationToken).ConfigureAwait(false);
        try
        {
            // The XML readers keep no reference to the buffer (they produce strings), so the pooled array goes back.
            XmlReadResult<T> parsed = read(result.BodyMemory);
            if (parsed.Value is { } value)
            {
                return value;
            }

            XmlReadResult<S3Error> error = S3Error.Read(result.BodyMemory);
            if (error.Value is { } e)
            {
                // CompleteMultipartUpload and CopyObject may answer 200 and then an Error document; whether it is worth
                // retrying goes by its code (the exception's default, S3ErrorCode.IsRetryable), as the AWS SDKs do.
                throw new S3Exception(e.Code, result.Status, $"{e.Code}: {e.Message}", e.RequestId, e.HostId, e.Resource);
            }

            throw new S3Exception(S3ClientErrorCodes.MalformedResponse, result.Status,
                $"The {typeof(T).Name} response could not be read: {parsed.Detail}", isRetryable: false);
        }
        finally
        {
            result.ReturnBody();
        }
    }
}
