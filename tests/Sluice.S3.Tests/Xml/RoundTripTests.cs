using Sluice.S3.Xml;
using static Sluice.S3.Tests.Xml.XmlTestHelpers;

namespace Sluice.S3.Tests.Xml;

/// <summary>Every body written by its writer reads back equal through its reader.</summary>
public class RoundTripTests
{
    private static readonly DateTimeOffset T1 = new(2009, 10, 12, 17, 50, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2024, 2, 29, 23, 59, 59, 999, TimeSpan.Zero);

    private static T Reread<T>(XmlReadResult<T> result)
        where T : class
    {
        Assert.True(result.IsSuccess, result.Detail);
        return result.Value;
    }

    [Fact]
    public void ListAllMyBucketsResult()
    {
        var original = new ListAllMyBucketsResult
        {
            Owner = new S3Owner { Id = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName = "owner" },
            ContinuationToken = "tok==",
            Prefix = "amzn",
        };
        original.Buckets.Add(new ListedBucket { Name = "a-bucket", CreationDate = T1 });
        original.Buckets.Add(new ListedBucket { Name = "b.bucket", CreationDate = T2, BucketRegion = "eu-west-1" });

        ListAllMyBucketsResult read = Reread(Sluice.S3.Xml.ListAllMyBucketsResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal(original.Owner.Id, read.Owner?.Id);
        Assert.Equal(original.Owner.DisplayName, read.Owner?.DisplayName);
        Assert.Equal("tok==", read.ContinuationToken);
        Assert.Equal("amzn", read.Prefix);
        Assert.Equal(2, read.Buckets.Count);
        Assert.Equal(("a-bucket", T1, (string?)null), (read.Buckets[0].Name, read.Buckets[0].CreationDate, read.Buckets[0].BucketRegion));
        Assert.Equal(("b.bucket", T2, "eu-west-1"), (read.Buckets[1].Name, read.Buckets[1].CreationDate, read.Buckets[1].BucketRegion));
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(true, "url")]
    [InlineData(false, null)]
    [InlineData(false, "url")]
    public void ListBucketResult(bool v2, string? encodingType)
    {
        var original = new ListBucketResult
        {
            IsVersion2 = v2,
            Name = "bucket",
            Prefix = "photos & more/2006 ",
            Delimiter = "/",
            MaxKeys = 2,
            IsTruncated = true,
            EncodingType = encodingType,
            ContinuationToken = v2 ? "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" : null,
            NextContinuationToken = v2 ? "next+/=" : null,
            StartAfter = v2 ? "photos & more/2006 /a+b" : null,
            Marker = v2 ? null : "photos & more/2006 /a+b",
            NextMarker = v2 ? null : "photos & more/2006 /z\u0001",
        };
        original.Contents.Add(new ListedObject
        {
            Key = "photos & more/2006 /a b+c%d\u0001\r\n.jpg",
            LastModified = T1,
            ETag = "\"fba9dede5f27731c9771645a39863328\"",
            Size = 434234,
            StorageClass = "STANDARD",
            Owner = new S3Owner { Id = "id", DisplayName = "name" },
            ChecksumAlgorithm = "CRC32",
            ChecksumType = "FULL_OBJECT",
        });
        original.Contents.Add(new ListedObject { Key = "😀", LastModified = T2, ETag = "\"e-2\"", Size = 0 });
        original.CommonPrefixes.Add("photos & more/2006 /sub dir/");

        ListBucketResult read = Reread(Sluice.S3.Xml.ListBucketResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal(v2, read.IsVersion2);
        Assert.Equal(original.Name, read.Name);
        Assert.Equal(original.Prefix, read.Prefix);
        Assert.Equal(original.Delimiter, read.Delimiter);
        Assert.Equal(2, read.MaxKeys);
        Assert.True(read.IsTruncated);
        Assert.Equal(encodingType, read.EncodingType);
        Assert.Equal(v2 ? 3 : null, read.KeyCount);
        Assert.Equal(original.ContinuationToken, read.ContinuationToken);
        Assert.Equal(original.NextContinuationToken, read.NextContinuationToken);
        Assert.Equal(original.StartAfter, read.StartAfter);
        Assert.Equal(original.Marker, read.Marker);
        Assert.Equal(original.NextMarker, read.NextMarker);
        Assert.Equal(2, read.Contents.Count);
        ListedObject a = read.Contents[0];
        Assert.Equal(original.Contents[0].Key, a.Key);
        Assert.Equal(T1, a.LastModified);
        Assert.Equal("\"fba9dede5f27731c9771645a39863328\"", a.ETag);
        Assert.Equal(434234, a.Size);
        Assert.Equal("STANDARD", a.StorageClass);
        Assert.Equal("id", a.Owner?.Id);
        Assert.Equal("CRC32", a.ChecksumAlgorithm);
        Assert.Equal("FULL_OBJECT", a.ChecksumType);
        Assert.Equal("😀", read.Contents[1].Key);
        Assert.Equal(T2, read.Contents[1].LastModified);
        Assert.Null(read.Contents[1].StorageClass);
        Assert.Equal(original.CommonPrefixes, read.CommonPrefixes);
    }

    [Fact]
    public void InitiateMultipartUploadResult()
    {
        var original = new InitiateMultipartUploadResult { Bucket = "b", Key = "k & <k>\u0007", UploadId = "VXBsb2FkIElE" };
        InitiateMultipartUploadResult read = Reread(Sluice.S3.Xml.InitiateMultipartUploadResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal((original.Bucket, original.Key, original.UploadId), (read.Bucket, read.Key, read.UploadId));
    }

    [Fact]
    public void CompleteMultipartUpload()
    {
        var original = new CompleteMultipartUpload();
        for (int i = 1; i <= 3; i++)
        {
            var part = new CompletedPart { PartNumber = i, ETag = $"\"etag{i}\"" };
            part.Checksums.ChecksumCrc32C = $"crc{i}==";
            original.Parts.Add(part);
        }

        original.Parts[1].Checksums.ChecksumSha256 = "sha==";
        CompleteMultipartUpload read = Reread(Sluice.S3.Xml.CompleteMultipartUpload.Read(WriteBytes(original.WriteTo)));
        Assert.Equal([1, 2, 3], read.Parts.Select(p => p.PartNumber));
        Assert.Equal(["\"etag1\"", "\"etag2\"", "\"etag3\""], read.Parts.Select(p => p.ETag));
        Assert.Equal(["crc1==", "crc2==", "crc3=="], read.Parts.Select(p => p.Checksums.ChecksumCrc32C));
        Assert.Equal("sha==", read.Parts[1].Checksums.ChecksumSha256);
        Assert.Null(read.Parts[0].Checksums.ChecksumSha256);
    }

    [Fact]
    public void CompleteMultipartUploadResult()
    {
        var original = new CompleteMultipartUploadResult
        {
            Location = "http://b.s3.amazonaws.com/k",
            Bucket = "b",
            Key = "dir/k ey",
            ETag = "\"3858f62230ac3c915f300c664312c11f-9\"",
        };
        original.Checksums.ChecksumCrc64Nvme = "AAAAAAAAAAA=";
        original.Checksums.ChecksumType = "FULL_OBJECT";
        original.Checksums.ChecksumSha1 = "sha1=";
        original.Checksums.ChecksumCrc32 = "crc32=";
        CompleteMultipartUploadResult read = Reread(Sluice.S3.Xml.CompleteMultipartUploadResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal((original.Location, original.Bucket, original.Key, original.ETag), (read.Location, read.Bucket, read.Key, read.ETag));
        Assert.Equal("AAAAAAAAAAA=", read.Checksums.ChecksumCrc64Nvme);
        Assert.Equal("FULL_OBJECT", read.Checksums.ChecksumType);
        Assert.Equal("sha1=", read.Checksums.ChecksumSha1);
        Assert.Equal("crc32=", read.Checksums.ChecksumCrc32);
    }

    [Fact]
    public void ListPartsResult()
    {
        var original = new ListPartsResult
        {
            Bucket = "b",
            Key = "k<>",
            UploadId = "u",
            Initiator = new S3Owner { Id = "arn:aws:iam::111122223333:user/x" },
            Owner = new S3Owner { Id = "o", DisplayName = "d" },
            StorageClass = "STANDARD",
            PartNumberMarker = 1,
            NextPartNumberMarker = 3,
            MaxParts = 2,
            IsTruncated = true,
            ChecksumAlgorithm = "SHA256",
            ChecksumType = "COMPOSITE",
        };
        var part = new ListedPart { PartNumber = 2, LastModified = T1, ETag = "\"p2\"", Size = 10485760 };
        part.Checksums.ChecksumSha256 = "s==";
        original.Parts.Add(part);
        original.Parts.Add(new ListedPart { PartNumber = 3, LastModified = T2, ETag = "\"p3\"", Size = 1 });

        ListPartsResult read = Reread(Sluice.S3.Xml.ListPartsResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal((original.Bucket, original.Key, original.UploadId), (read.Bucket, read.Key, read.UploadId));
        Assert.Equal(original.Initiator.Id, read.Initiator?.Id);
        Assert.Null(read.Initiator?.DisplayName);
        Assert.Equal("d", read.Owner?.DisplayName);
        Assert.Equal((1, (int?)3, 2, true), (read.PartNumberMarker, read.NextPartNumberMarker, read.MaxParts, read.IsTruncated));
        Assert.Equal(("SHA256", "COMPOSITE", "STANDARD"), (read.ChecksumAlgorithm, read.ChecksumType, read.StorageClass));
        Assert.Equal([2, 3], read.Parts.Select(p => p.PartNumber));
        Assert.Equal((T1, "\"p2\"", 10485760L, "s=="), (read.Parts[0].LastModified, read.Parts[0].ETag, read.Parts[0].Size, read.Parts[0].Checksums.ChecksumSha256));
        Assert.Equal(T2, read.Parts[1].LastModified);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("url")]
    public void ListMultipartUploadsResult(string? encodingType)
    {
        var original = new ListMultipartUploadsResult
        {
            Bucket = "b",
            KeyMarker = "a b+c",
            UploadIdMarker = "uid+/=",
            NextKeyMarker = "n\u0001ext",
            NextUploadIdMarker = "nuid",
            Delimiter = "/",
            Prefix = "p re/",
            EncodingType = encodingType,
            MaxUploads = 5,
            IsTruncated = true,
        };
        original.Uploads.Add(new ListedUpload
        {
            Key = "p re/😀 & x",
            UploadId = "Agw4MJT6",
            Initiator = new S3Owner { Id = "i", DisplayName = "in" },
            Owner = new S3Owner { Id = "o" },
            StorageClass = "STANDARD",
            Initiated = T1,
            ChecksumAlgorithm = "CRC32C",
            ChecksumType = "COMPOSITE",
        });
        original.CommonPrefixes.Add("p re/photos %/");

        ListMultipartUploadsResult read = Reread(Sluice.S3.Xml.ListMultipartUploadsResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal((original.Bucket, original.KeyMarker, original.UploadIdMarker), (read.Bucket, read.KeyMarker, read.UploadIdMarker));
        Assert.Equal((original.NextKeyMarker, original.NextUploadIdMarker), (read.NextKeyMarker, read.NextUploadIdMarker));
        Assert.Equal((original.Delimiter, original.Prefix, encodingType), (read.Delimiter, read.Prefix, read.EncodingType));
        Assert.Equal((5, true), (read.MaxUploads, read.IsTruncated));
        ListedUpload u = Assert.Single(read.Uploads);
        Assert.Equal(("p re/😀 & x", "Agw4MJT6", T1), (u.Key, u.UploadId, u.Initiated));
        Assert.Equal(("in", "o", "STANDARD"), (u.Initiator?.DisplayName, u.Owner?.Id, u.StorageClass));
        Assert.Equal(("CRC32C", "COMPOSITE"), (u.ChecksumAlgorithm, u.ChecksumType));
        Assert.Equal(original.CommonPrefixes, read.CommonPrefixes);
    }

    [Fact]
    public void DeleteObjectsRequest()
    {
        var original = new DeleteObjectsRequest { Quiet = true };
        original.Objects.Add(new ObjectIdentifier { Key = "a\rb" });
        original.Objects.Add(new ObjectIdentifier { Key = " ", VersionId = "OYcLXagmS.WaD..oyH4KRguB95_YhLs7" });
        DeleteObjectsRequest read = Reread(Sluice.S3.Xml.DeleteObjectsRequest.Read(WriteBytes(original.WriteTo)));
        Assert.True(read.Quiet);
        Assert.Equal(["a\rb", " "], read.Objects.Select(o => o.Key));
        Assert.Equal([null, "OYcLXagmS.WaD..oyH4KRguB95_YhLs7"], read.Objects.Select(o => o.VersionId));
    }

    [Fact]
    public void DeleteResult()
    {
        var original = new DeleteResult();
        original.Deleted.Add(new DeletedObject { Key = "sample1.txt" });
        original.Deleted.Add(new DeletedObject { Key = "v", VersionId = "ver", DeleteMarker = true, DeleteMarkerVersionId = "dm" });
        original.Errors.Add(new DeleteError { Key = "sample2.txt", VersionId = "x", Code = "AccessDenied", Message = "Access Denied" });
        DeleteResult read = Reread(Sluice.S3.Xml.DeleteResult.Read(WriteBytes(original.WriteTo)));
        Assert.Equal(("sample1.txt", (string?)null, (bool?)null), (read.Deleted[0].Key, read.Deleted[0].VersionId, read.Deleted[0].DeleteMarker));
        Assert.Equal(("v", "ver", (bool?)true, "dm"), (read.Deleted[1].Key, read.Deleted[1].VersionId, read.Deleted[1].DeleteMarker, read.Deleted[1].DeleteMarkerVersionId));
        DeleteError e = Assert.Single(read.Errors);
        Assert.Equal(("sample2.txt", "x", "AccessDenied", "Access Denied"), (e.Key, e.VersionId, e.Code, e.Message));
    }

    [Fact]
    public void CopyObjectResult_and_CopyPartResult()
    {
        var copy = new CopyObjectResult { LastModified = T2, ETag = "\"9b2cf535f27731c974343645a3985328\"" };
        copy.Checksums.ChecksumCrc32 = "c==";
        CopyObjectResult readCopy = Reread(Sluice.S3.Xml.CopyObjectResult.Read(WriteBytes(copy.WriteTo)));
        Assert.Equal((T2, copy.ETag, "c=="), (readCopy.LastModified, readCopy.ETag, readCopy.Checksums.ChecksumCrc32));

        var part = new CopyPartResult { LastModified = T1, ETag = "\"p\"" };
        CopyPartResult readPart = Reread(Sluice.S3.Xml.CopyPartResult.Read(WriteBytes(part.WriteTo)));
        Assert.Equal((T1, "\"p\""), (readPart.LastModified, readPart.ETag));
        Assert.True(readPart.Checksums.IsEmpty);

        // The two roots are distinct documents.
        Assert.False(Sluice.S3.Xml.CopyPartResult.Read(WriteBytes(copy.WriteTo)).IsSuccess);
    }

    [Theory]
    [InlineData("eu-west-1")]
    [InlineData(null)]
    public void CreateBucketConfiguration_and_LocationConstraint(string? region)
    {
        var create = new CreateBucketConfiguration { LocationConstraint = region };
        Assert.Equal(region, Reread(Sluice.S3.Xml.CreateBucketConfiguration.Read(WriteBytes(create.WriteTo))).LocationConstraint);

        var location = new LocationConstraint { Region = region };
        Assert.Equal(region, Reread(Sluice.S3.Xml.LocationConstraint.Read(WriteBytes(location.WriteTo))).Region);
    }

    [Fact]
    public void ObjectChecksums_copy_every_value_and_the_type_only_when_asked()
    {
        var source = new ObjectChecksums
        {
            ChecksumCrc32 = "a", ChecksumCrc32C = "b", ChecksumCrc64Nvme = "c", ChecksumSha1 = "d", ChecksumSha256 = "e",
            ChecksumType = "FULL_OBJECT",
        };
        var whole = new ObjectChecksums();
        source.CopyTo(whole);
        Assert.Equal(("a", "b", "c", "d", "e", "FULL_OBJECT"),
            (whole.ChecksumCrc32, whole.ChecksumCrc32C, whole.ChecksumCrc64Nvme, whole.ChecksumSha1, whole.ChecksumSha256, whole.ChecksumType));
        var part = new ObjectChecksums { ChecksumType = "COMPOSITE" };
        source.CopyTo(part, includeType: false);
        Assert.Equal(("a", "e", "COMPOSITE"), (part.ChecksumCrc32, part.ChecksumSha256, part.ChecksumType));
    }
}
