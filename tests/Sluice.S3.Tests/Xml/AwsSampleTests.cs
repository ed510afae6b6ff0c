using Sluice.S3.Xml;
using static Sluice.S3.Tests.Xml.XmlTestHelpers;

namespace Sluice.S3.Tests.Xml;

/// <summary>Parses the response samples published in the AWS S3 API reference, verbatim.</summary>
public class AwsSampleTests
{
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html — "Listing keys using the
    // max-keys, prefix, and start-after parameters".
    private const string ListObjectsV2StartAfter = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>quotes</Name>
          <Prefix>E</Prefix>
          <StartAfter>ExampleGuide.pdf</StartAfter>
          <KeyCount>1</KeyCount>
          <MaxKeys>3</MaxKeys>
          <IsTruncated>false</IsTruncated>
          <Contents>
            <Key>ExampleObject.txt</Key>
            <LastModified>2013-09-17T18:07:53.000Z</LastModified>
            <ETag>"599bab3ed2c697f1d26842727561fd94"</ETag>
            <Size>857</Size>
            <StorageClass>REDUCED_REDUNDANCY</StorageClass>
          </Contents>
        </ListBucketResult>
        """;

    // Same page — "Listing keys by using the prefix and delimiter parameters" (prefix photos/2006/).
    private const string ListObjectsV2Delimiter = """
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>example-bucket</Name>
          <Prefix>photos/2006/</Prefix>
          <KeyCount>2</KeyCount>
          <MaxKeys>1000</MaxKeys>
          <Delimiter>/</Delimiter>
          <IsTruncated>false</IsTruncated>

          <CommonPrefixes>
            <Prefix>photos/2006/February/</Prefix>
          </CommonPrefixes>
          <CommonPrefixes>
            <Prefix>photos/2006/January/</Prefix>
          </CommonPrefixes>
        </ListBucketResult>
        """;

    // Same page — "Using a continuation token" (the sample's trailing "..." placeholder removed).
    private const string ListObjectsV2Continuation = """
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>bucket</Name>
          <Prefix></Prefix>
          <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
          <KeyCount>1000</KeyCount>
          <MaxKeys>1000</MaxKeys>
          <IsTruncated>true</IsTruncated>
          <Contents>
            <Key>happyface.jpg</Key>
            <LastModified>2014-11-21T19:40:05.000Z</LastModified>
            <ETag>"70ee1738b6b21e2c8a43f3a5ab0eee71"</ETag>
            <Size>11</Size>
            <StorageClass>STANDARD</StorageClass>
          </Contents>
        </ListBucketResult>
        """;

    [Fact]
    public void ListObjectsV2_start_after_sample()
    {
        XmlReadResult<ListBucketResult> read = ListBucketResult.Read(Utf8(ListObjectsV2StartAfter));
        Assert.True(read.IsSuccess, read.Detail);
        ListBucketResult r = read.Value;
        Assert.True(r.IsVersion2);
        Assert.Equal("quotes", r.Name);
        Assert.Equal("E", r.Prefix);
        Assert.Equal("ExampleGuide.pdf", r.StartAfter);
        Assert.Equal(1, r.KeyCount);
        Assert.Equal(3, r.MaxKeys);
        Assert.False(r.IsTruncated);
        ListedObject o = Assert.Single(r.Contents);
        Assert.Equal("ExampleObject.txt", o.Key);
        Assert.Equal(new DateTimeOffset(2013, 9, 17, 18, 7, 53, TimeSpan.Zero), o.LastModified);
        Assert.Equal("\"599bab3ed2c697f1d26842727561fd94\"", o.ETag);
        Assert.Equal(857, o.Size);
        Assert.Equal("REDUCED_REDUNDANCY", o.StorageClass);
        Assert.Null(o.Owner);
    }

    [Fact]
    public void ListObjectsV2_delimiter_sample()
    {
        XmlReadResult<ListBucketResult> read = ListBucketResult.Read(Utf8(ListObjectsV2Delimiter));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal("photos/2006/", read.Value.Prefix);
        Assert.Equal("/", read.Value.Delimiter);
        Assert.Empty(read.Value.Contents);
        Assert.Equal(["photos/2006/February/", "photos/2006/January/"], read.Value.CommonPrefixes);
    }

    [Fact]
    public void ListObjectsV2_continuation_sample()
    {
        XmlReadResult<ListBucketResult> read = ListBucketResult.Read(Utf8(ListObjectsV2Continuation));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.True(read.Value.IsTruncated);
        Assert.Equal("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", read.Value.NextContinuationToken);
        Assert.Equal(string.Empty, read.Value.Prefix);
        Assert.Equal("happyface.jpg", Assert.Single(read.Value.Contents).Key);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html — sample response (V1, with Owner).
    [Fact]
    public void ListObjects_v1_sample()
    {
        const string Sample = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                <Name>bucket</Name>
                <Prefix/>
                <Marker/>
                <MaxKeys>1000</MaxKeys>
                <IsTruncated>false</IsTruncated>
                <Contents>
                    <Key>my-image.jpg</Key>
                    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
                    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
                    <Size>434234</Size>
                    <StorageClass>STANDARD</StorageClass>
                    <Owner>
                        <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
                        <DisplayName>mtd@amazon.com</DisplayName>
                    </Owner>
                </Contents>
                <Contents>
                   <Key>my-third-image.jpg</Key>
                     <LastModified>2009-10-12T17:50:30.000Z</LastModified>
                    <ETag>&quot;1b2cf535f27731c974343645a3985328&quot;</ETag>
                    <Size>64994</Size>
                    <StorageClass>STANDARD</StorageClass>
                    <Owner>
                        <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
                        <DisplayName>mtd@amazon.com</DisplayName>
                    </Owner>
                </Contents>
            </ListBucketResult>
            """;
        XmlReadResult<ListBucketResult> read = ListBucketResult.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.False(read.Value.IsVersion2);
        Assert.Equal(string.Empty, read.Value.Marker);
        Assert.Equal(2, read.Value.Contents.Count);
        ListedObject o = read.Value.Contents[0];
        Assert.Equal("\"fba9dede5f27731c9771645a39863328\"", o.ETag);
        Assert.Equal(434234, o.Size);
        Assert.Equal("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", o.Owner?.Id);
        Assert.Equal("mtd@amazon.com", o.Owner?.DisplayName);
        Assert.Equal("my-third-image.jpg", read.Value.Contents[1].Key);
        Assert.Equal("\"1b2cf535f27731c974343645a3985328\"", read.Value.Contents[1].ETag);
        Assert.Equal(64994, read.Value.Contents[1].Size);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html — Example 1 (timestamps with +00:00).
    [Fact]
    public void ListBuckets_sample()
    {
        const string Sample = """
            <ListAllMyBucketsResult>
               <Buckets>
                  <Bucket>
                     <CreationDate>2019-12-11T23:32:47+00:00</CreationDate>
                     <Name>amzn-s3-demo-bucket</Name>
                  </Bucket>
                  <Bucket>
                     <CreationDate>2019-11-10T23:32:13+00:00</CreationDate>
                     <Name>amzn-s3-demo-bucket1</Name>
                  </Bucket>
               </Buckets>
               <Owner>
                  <DisplayName>Account+Name</DisplayName>
                  <ID>AIDACKCEVSQ6C2EXAMPLE</ID>
               </Owner>
            </ListAllMyBucketsResult>
            """;
        XmlReadResult<ListAllMyBucketsResult> read = ListAllMyBucketsResult.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(2, read.Value.Buckets.Count);
        Assert.Equal("amzn-s3-demo-bucket", read.Value.Buckets[0].Name);
        Assert.Equal(new DateTimeOffset(2019, 12, 11, 23, 32, 47, TimeSpan.Zero), read.Value.Buckets[0].CreationDate);
        Assert.Equal("amzn-s3-demo-bucket1", read.Value.Buckets[1].Name);
        Assert.Equal(new DateTimeOffset(2019, 11, 10, 23, 32, 13, TimeSpan.Zero), read.Value.Buckets[1].CreationDate);
        Assert.Equal("AIDACKCEVSQ6C2EXAMPLE", read.Value.Owner?.Id);
        Assert.Equal("Account+Name", read.Value.Owner?.DisplayName);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html — sample response.
    [Fact]
    public void InitiateMultipartUpload_sample()
    {
        const string Sample = """
            <?xml version="1.0" encoding="UTF-8"?>
            <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>example-bucket</Bucket>
              <Key>example-object</Key>
              <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
            </InitiateMultipartUploadResult>
            """;
        XmlReadResult<InitiateMultipartUploadResult> read = InitiateMultipartUploadResult.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal("example-bucket", read.Value.Bucket);
        Assert.Equal("example-object", read.Value.Key);
        Assert.Equal("VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA", read.Value.UploadId);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html — sample request and response.
    [Fact]
    public void CompleteMultipartUpload_request_sample()
    {
        const string Sample = """
            <CompleteMultipartUpload>
              <Part>
                <PartNumber>1</PartNumber>
                <ETag>"a54357aff0632cce46d942af68356b38"</ETag>
              </Part>
              <Part>
                <PartNumber>2</PartNumber>
                <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>
              </Part>
              <Part>
                <PartNumber>3</PartNumber>
                <ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag>
              </Part>
            </CompleteMultipartUpload>
            """;
        XmlReadResult<CompleteMultipartUpload> read = CompleteMultipartUpload.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal([1, 2, 3], read.Value.Parts.Select(p => p.PartNumber));
        Assert.Equal("\"a54357aff0632cce46d942af68356b38\"", read.Value.Parts[0].ETag);
        Assert.Equal("\"acbd18db4cc2f85cedef654fccc4a4d8\"", read.Value.Parts[2].ETag);
    }

    [Fact]
    public void CompleteMultipartUpload_response_sample()
    {
        const string Sample = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
             <Location>http://amzn-s3-demo-bucket.s3.<Region>.amazonaws.com/Example-Object</Location>
             <Bucket>amzn-s3-demo-bucket</Bucket>
             <Key>Example-Object</Key>
             <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
            </CompleteMultipartUploadResult>
            """;

        // As published the sample is not well-formed: "<Region>" is a placeholder that reads as a start tag.
        Assert.False(CompleteMultipartUploadResult.Read(Utf8(Sample)).IsSuccess);

        XmlReadResult<CompleteMultipartUploadResult> read =
            CompleteMultipartUploadResult.Read(Utf8(Sample.Replace("<Region>", "us-east-1", StringComparison.Ordinal)));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal("http://amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com/Example-Object", read.Value.Location);
        Assert.Equal("amzn-s3-demo-bucket", read.Value.Bucket);
        Assert.Equal("Example-Object", read.Value.Key);
        Assert.Equal("\"3858f62230ac3c915f300c664312c11f-9\"", read.Value.ETag);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html — sample response.
    [Fact]
    public void ListParts_sample()
    {
        const string Sample = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>example-bucket</Bucket>
              <Key>example-object</Key>
              <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
              <Initiator>
                  <ID>arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx</ID>
                  <DisplayName>umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx</DisplayName>
              </Initiator>
              <Owner>
                <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
                <DisplayName>someName</DisplayName>
              </Owner>
              <StorageClass>STANDARD</StorageClass>
              <PartNumberMarker>1</PartNumberMarker>
              <NextPartNumberMarker>3</NextPartNumberMarker>
              <MaxParts>2</MaxParts>
              <IsTruncated>true</IsTruncated>
              <Part>
                <PartNumber>2</PartNumber>
                <LastModified>2010-11-10T20:48:34.000Z</LastModified>
                <ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag>
                <Size>10485760</Size>
              </Part>
              <Part>
                <PartNumber>3</PartNumber>
                <LastModified>2010-11-10T20:48:33.000Z</LastModified>
                <ETag>"aaaa18db4cc2f85cedef654fccc4a4x8"</ETag>
                <Size>10485760</Size>
              </Part>
            </ListPartsResult>
            """;
        XmlReadResult<ListPartsResult> read = ListPartsResult.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        ListPartsResult r = read.Value;
        Assert.Equal("XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA", r.UploadId);
        Assert.Equal("arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx", r.Initiator?.Id);
        Assert.Equal("someName", r.Owner?.DisplayName);
        Assert.Equal(1, r.PartNumberMarker);
        Assert.Equal(3, r.NextPartNumberMarker);
        Assert.Equal(2, r.MaxParts);
        Assert.True(r.IsTruncated);
        Assert.Equal([2, 3], r.Parts.Select(p => p.PartNumber));
        Assert.Equal(new DateTimeOffset(2010, 11, 10, 20, 48, 34, TimeSpan.Zero), r.Parts[0].LastModified);
        Assert.Equal("\"aaaa18db4cc2f85cedef654fccc4a4x8\"", r.Parts[1].ETag);
        Assert.Equal(10485760, r.Parts[1].Size);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html — sample response with
    // delimiter and prefix.
    [Fact]
    public void ListMultipartUploads_sample()
    {
        const string Sample = """
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>example-bucket</Bucket>
              <KeyMarker/>
              <UploadIdMarker/>
              <NextKeyMarker>sample.jpg</NextKeyMarker>
              <NextUploadIdMarker>Xgw4MJT6ZPAVxpY0SAuGN7q4uWJJM22ZYg1W99trdp4tpO88.PT6.MhO0w2E17eutfAvQfQWoajgE_W2gpcxQw--</NextUploadIdMarker>
              <Delimiter>/</Delimiter>
              <Prefix/>
              <MaxUploads>1000</MaxUploads>
              <IsTruncated>false</IsTruncated>
              <Upload>
                <Key>sample.jpg</Key>
                <UploadId>Agw4MJT6ZPAVxpY0SAuGN7q4uWJJM22ZYg1N99trdp4tpO88.PT6.MhO0w2E17eutfAvQfQWoajgE_W2gpcxQw--</UploadId>
                <Initiator>
                  <ID>314133b66967d86f031c7249d1d9a80249109428335cd0ef1cdc487b4566cb1b</ID>
                  <DisplayName>s3-nickname</DisplayName>
                </Initiator>
                <Owner>
                  <ID>314133b66967d86f031c7249d1d9a80249109428335cd0ef1cdc487b4566cb1b</ID>
                  <DisplayName>s3-nickname</DisplayName>
                </Owner>
                <StorageClass>STANDARD</StorageClass>
                <Initiated>2010-11-26T19:24:17.000Z</Initiated>
              </Upload>
              <CommonPrefixes>
                <Prefix>photos/</Prefix>
              </CommonPrefixes>
              <CommonPrefixes>
                <Prefix>videos/</Prefix>
              </CommonPrefixes>
            </ListMultipartUploadsResult>
            """;
        XmlReadResult<ListMultipartUploadsResult> read = ListMultipartUploadsResult.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        ListMultipartUploadsResult r = read.Value;
        Assert.Equal("example-bucket", r.Bucket);
        Assert.Equal(string.Empty, r.KeyMarker);
        Assert.Equal("sample.jpg", r.NextKeyMarker);
        Assert.Equal("/", r.Delimiter);
        Assert.Equal(1000, r.MaxUploads);
        ListedUpload u = Assert.Single(r.Uploads);
        Assert.Equal("sample.jpg", u.Key);
        Assert.Equal("Agw4MJT6ZPAVxpY0SAuGN7q4uWJJM22ZYg1N99trdp4tpO88.PT6.MhO0w2E17eutfAvQfQWoajgE_W2gpcxQw--", u.UploadId);
        Assert.Equal("s3-nickname", u.Initiator?.DisplayName);
        Assert.Equal(new DateTimeOffset(2010, 11, 26, 19, 24, 17, TimeSpan.Zero), u.Initiated);
        Assert.Equal(["photos/", "videos/"], r.CommonPrefixes);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html — Example 1 request and response.
    [Fact]
    public void DeleteObjects_request_and_response_samples()
    {
        const string Request = """
            <Delete>
              <Object>
                <Key>sample1.txt</Key>
              </Object>
              <Object>
                <Key>sample2.txt</Key>
              </Object>
            </Delete>
            """;
        XmlReadResult<DeleteObjectsRequest> request = DeleteObjectsRequest.Read(Utf8(Request));
        Assert.True(request.IsSuccess, request.Detail);
        Assert.False(request.Value.Quiet);
        Assert.Equal(["sample1.txt", "sample2.txt"], request.Value.Objects.Select(o => o.Key));

        const string Response = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Deleted>
                <Key>sample1.txt</Key>
              </Deleted>
              <Error>
                <Key>sample2.txt</Key>
                <Code>AccessDenied</Code>
                <Message>Access Denied</Message>
              </Error>
            </DeleteResult>
            """;
        XmlReadResult<DeleteResult> response = DeleteResult.Read(Utf8(Response));
        Assert.True(response.IsSuccess, response.Detail);
        Assert.Equal("sample1.txt", Assert.Single(response.Value.Deleted).Key);
        DeleteError error = Assert.Single(response.Value.Errors);
        Assert.Equal("sample2.txt", error.Key);
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal("Access Denied", error.Message);
    }

    // Same page — versioned delete request and the delete-marker response.
    [Fact]
    public void DeleteObjects_versioned_samples()
    {
        const string Request = """
            <Delete>
              <Object>
                <Key>SampleDocument.txt</Key>
                <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>
              </Object>
            </Delete>
            """;
        XmlReadResult<DeleteObjectsRequest> request = DeleteObjectsRequest.Read(Utf8(Request));
        Assert.True(request.IsSuccess, request.Detail);
        Assert.Equal("OYcLXagmS.WaD..oyH4KRguB95_YhLs7", Assert.Single(request.Value.Objects).VersionId);

        const string Response = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Deleted>
              <Key>SampleDocument.txt</Key>
                <DeleteMarker>true</DeleteMarker>
                <DeleteMarkerVersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s</DeleteMarkerVersionId>
              </Deleted>
            </DeleteResult>
            """;
        XmlReadResult<DeleteResult> response = DeleteResult.Read(Utf8(Response));
        Assert.True(response.IsSuccess, response.Detail);
        DeletedObject deleted = Assert.Single(response.Value.Deleted);
        Assert.True(deleted.DeleteMarker);
        Assert.Equal("NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s", deleted.DeleteMarkerVersionId);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html and API_UploadPartCopy.html — samples.
    [Fact]
    public void CopyObject_and_CopyPart_samples()
    {
        const string Copy = """
            <CopyObjectResult>
               <LastModified>2009-10-28T22:32:00</LastModified>
               <ETag>"9b2cf535f27731c974343645a3985328"</ETag>
            </CopyObjectResult>
            """;
        XmlReadResult<CopyObjectResult> copy = CopyObjectResult.Read(Utf8(Copy));
        Assert.True(copy.IsSuccess, copy.Detail);
        // The sample's timestamp has no zone; S3 times are UTC.
        Assert.Equal(new DateTimeOffset(2009, 10, 28, 22, 32, 0, TimeSpan.Zero), copy.Value.LastModified);
        Assert.Equal("\"9b2cf535f27731c974343645a3985328\"", copy.Value.ETag);

        const string Part = """
            <CopyPartResult>
              <LastModified>2009-10-28T22:32:00</LastModified>
              <ETag>"9b2cf535f27731c974343645a3985328"</ETag>
            </CopyPartResult>
            """;
        XmlReadResult<CopyPartResult> part = CopyPartResult.Read(Utf8(Part));
        Assert.True(part.IsSuccess, part.Detail);
        Assert.Equal(new DateTimeOffset(2009, 10, 28, 22, 32, 0, TimeSpan.Zero), part.Value.LastModified);
    }

    // Request syntax of https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html and the sample
    // response of https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html.
    [Fact]
    public void CreateBucket_and_GetBucketLocation_samples()
    {
        const string Create = """
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
               <LocationConstraint>eu-west-1</LocationConstraint>
            </CreateBucketConfiguration>
            """;
        XmlReadResult<CreateBucketConfiguration> create = CreateBucketConfiguration.Read(Utf8(Create));
        Assert.True(create.IsSuccess, create.Detail);
        Assert.Equal("eu-west-1", create.Value.LocationConstraint);

        const string Location = """
            <?xml version="1.0" encoding="UTF-8"?>
            <LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">us-west-2</LocationConstraint>
            """;
        XmlReadResult<LocationConstraint> location = LocationConstraint.Read(Utf8(Location));
        Assert.True(location.IsSuccess, location.Detail);
        Assert.Equal("us-west-2", location.Value.Region);
    }
}
