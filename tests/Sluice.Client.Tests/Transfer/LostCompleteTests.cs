using Sluice.Client.Model;
using Sluice.Client.Tests.Faults;
using Sluice.Client.Transfer;
using Sluice.S3.Errors;
using Sluice.S3.Xml;
using Sluice.Server;

namespace Sluice.Client.Tests.Transfer;

/// <summary>
/// CompleteMultipartUpload whose success the client never saw: the retry meets NoSuchUpload (or, from a server that
/// remembers completed uploads, the same success), and the client confirms the object with HeadObject instead of
/// failing an upload that happened. A NoSuchUpload that HeadObject cannot confirm stays an error.
/// </summary>
public class LostCompleteTests(TransferServerFixture fx) : IClassFixture<TransferServerFixture>
{
    private const int MiB = 1 << 20;

    private static bool IsComplete(string requestLine) =>
        requestLine.StartsWith("POST ", StringComparison.Ordinal) && requestLine.Contains("uploadId=", StringComparison.Ordinal);

    [Fact]
    public async Task Upload_succeeds_when_the_complete_answer_is_lost_after_the_server_completed()
    {
        string bucket = await fx.NewBucketAsync();
        await using var proxy = new FaultProxy(fx.Server.LocalEndPoint, _ => Fault.None, dropResponseTo: IsComplete);
        await using var client = new S3Client(new S3ClientOptions
        {
            Endpoint = proxy.Endpoint,
            AccessKeyId = SluiceServerOptions.DevAccessKey,
            SecretAccessKey = SluiceServerOptions.DevSecretKey,
            Retry = new Retry.RetryOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });
        using var engine = new TransferEngine(client, TransferServerFixture.SmallParts());
        var data = TransferServerFixture.RandomBytes(12 * MiB + 7, 77);

        var up = await engine.UploadFileAsync(fx.WriteFile(data), bucket, "lost-complete");

        string[] completes = [.. proxy.RequestHeads.Where(IsComplete)];
        Assert.True(completes.Length >= 2, "the Complete was not retried: " + string.Join(", ", proxy.RequestHeads));
        Assert.Equal(3, up.PartCount);
        Assert.True(up.ChecksumVerified); // the stored full-object CRC came back (from HeadObject) and matched the parts'
        var head = await fx.Client.HeadObjectAsync(bucket, "lost-complete");
        Assert.Equal(head.ETag, up.ETag);
        Assert.EndsWith("-3\"", up.ETag, StringComparison.Ordinal);
        var back = new byte[data.Length];
        await fx.Client.GetObjectAsync(new GetObjectRequest(bucket, "lost-complete"), back);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task Completing_again_with_the_same_parts_reports_the_completed_object()
    {
        string bucket = await fx.NewBucketAsync();
        var parts = await UploadPartsAsync(bucket, "twice", 2);
        string uploadId = parts.UploadId;
        var first = await fx.Client.CompleteMultipartUploadAsync(bucket, "twice", uploadId, parts.Parts);

        var again = await fx.Client.CompleteMultipartUploadAsync(bucket, "twice", uploadId, parts.Parts);

        Assert.Equal(first.ETag, again.ETag);
        Assert.Equal(first.Checksums.ChecksumCrc64Nvme, again.Checksums.ChecksumCrc64Nvme);
    }

    [Fact]
    public async Task NoSuchUpload_stands_when_the_key_is_missing_or_holds_another_object()
    {
        string bucket = await fx.NewBucketAsync();
        var parts = await UploadPartsAsync(bucket, "other", 2);
        await fx.Client.AbortMultipartUploadAsync(bucket, "other", parts.UploadId);

        var missing = await Assert.ThrowsAsync<S3Exception>(() =>
            fx.Client.CompleteMultipartUploadAsync(bucket, "other", parts.UploadId, parts.Parts));
        Assert.Equal(S3ErrorCode.NoSuchUpload, missing.Code);

        // The key now holds a different object (another writer's): the aborted upload is not reported as completed.
        await fx.Client.PutObjectAsync(new PutObjectRequest(bucket, "other"), new byte[] { 1, 2, 3 });
        var other = await Assert.ThrowsAsync<S3Exception>(() =>
            fx.Client.CompleteMultipartUploadAsync(bucket, "other", parts.UploadId, parts.Parts));
        Assert.Equal(S3ErrorCode.NoSuchUpload, other.Code);
    }

    private async Task<(string UploadId, List<CompletedPart> Parts)> UploadPartsAsync(string bucket, string key, int count)
    {
        string uploadId = await fx.Client.CreateMultipartUploadAsync(new PutObjectRequest(bucket, key) { ChecksumAlgorithm = S3.Checksums.ChecksumAlgorithm.Crc64Nvme });
        var parts = new List<CompletedPart>();
        for (int i = 1; i <= count; i++)
        {
            var body = TransferServerFixture.RandomBytes(5 * MiB, i);
            var response = await fx.Client.UploadPartAsync(new UploadPartRequest(bucket, key, uploadId, i)
            {
                ChecksumAlgorithm = S3.Checksums.ChecksumAlgorithm.Crc64Nvme,
            }, body);
            parts.Add(response.ToCompletedPart());
        }

        return (uploadId, parts);
    }
}
