using Sluice.Client.Transport;

namespace Sluice.Client;

// The PUT and DELETE of a bucket's or object's configuration subresource (?cors, ?lifecycle, ?policy, ?tagging, ...):
// the same request but for the subresource's name and the document.
public sealed partial class S3Client
{
    /// <summary>PUT <paramref name="document"/> to <paramref name="subresource"/> of the bucket (or of
    /// <paramref name="key"/>), with the Content-MD5 S3 requires on these calls (the AWS SDKs send it too).</summary>
    private async Task PutSubresourceAsync(string bucket, string? key, string subresource, ReadOnlyMemory<byte> document,
        CancellationToken cancellationToken, string contentType = "application/xml")
    {
        S3Call call = S3Call.Create("PUT", bucket, key, subresource, idempotent: true);
        call.Body = document;
        call.BodyLength = document.Length;
        call.PayloadHash = Sluice.S3.Auth.SigV4PayloadHash.Sha256Hex(document.Span);
        call.Headers = [new("content-md5", ContentMd5(document.Span)), new("content-type", contentType)];
        await _transport.SendAsync(call, ResponseSink.Discard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DELETE the bucket's <paramref name="subresource"/> (S3 answers 204 whether or not there was one).</summary>
    private async Task DeleteSubresourceAsync(string bucket, string subresource, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        await _transport.SendAsync(S3Call.Create("DELETE", bucket, null, subresource, idempotent: true), ResponseSink.Discard,
            cancellationToken).ConfigureAwait(false);
    }
}
