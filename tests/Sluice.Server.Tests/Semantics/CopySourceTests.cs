using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Semantics;

namespace Sluice.Server.Tests.Semantics;

/// <summary>x-amz-copy-source ("bucket/key" or "/bucket/key", URL-encoded; CopyObject API reference).</summary>
public sealed class CopySourceTests
{
    [Theory]
    // The CopyObject reference's examples: "awsexamplebucket/reports/january.pdf" and its URL-encoded form.
    [InlineData("awsexamplebucket/reports/january.pdf", "awsexamplebucket", "reports/january.pdf")]
    [InlineData("awsexamplebucket%2Freports%2Fjanuary.pdf", "awsexamplebucket", "reports/january.pdf")]
    [InlineData("/awsexamplebucket/reports/january.pdf", "awsexamplebucket", "reports/january.pdf")]
    [InlineData("/b-1/a%20b%2Bc+d", "b-1", "a b+c+d")]
    [InlineData("b-1/..%2F..%2Fx", "b-1", "../../x")]
    [InlineData("b-1//", "b-1", "/")]
    [InlineData("b-1/%E4%BD%A0?x-id=CopyObject", "b-1", "你")]
    public void Parses(string value, string bucket, string key)
    {
        byte[] raw = Encoding.UTF8.GetBytes(value);
        byte[] decoded = new byte[raw.Length];
        S3Problem p = CopySource.Parse(raw, decoded, out HttpSlice b, out HttpSlice k);
        Assert.True(p.IsNone, p.ToString());
        Assert.Equal(bucket, Encoding.ASCII.GetString(b.Of(decoded)));
        Assert.Equal(key, Encoding.UTF8.GetString(k.Of(decoded)));
    }

    [Theory]
    [InlineData("", CopySource.MissingPartsMessage)]
    [InlineData("bucket", CopySource.MissingPartsMessage)]
    [InlineData("/bucket", CopySource.MissingPartsMessage)]
    [InlineData("bucket/", CopySource.MissingPartsMessage)]
    [InlineData("/bucket/", CopySource.MissingPartsMessage)]
    [InlineData("//key", CopySource.MissingPartsMessage)]
    [InlineData("Bad_Bucket/key", "Invalid copy source bucket name")]
    [InlineData("bucket/%FF", "Invalid copy source encoding")]
    [InlineData("bucket/a%zz", "Invalid copy source encoding")]
    public void Refuses(string value, string message)
    {
        byte[] raw = Encoding.UTF8.GetBytes(value);
        S3Problem p = CopySource.Parse(raw, new byte[raw.Length], out _, out _);
        Assert.Equal(S3ErrorCode.InvalidArgument, p.Code);
        Assert.Equal(message, p.Message);
        Assert.Equal("x-amz-copy-source", p.GetDetail("ArgumentName"));
        Assert.Equal(value, p.GetDetail("ArgumentValue"));
    }

    [Fact]
    public void A_version_id_names_the_source_version_and_a_malformed_one_is_InvalidArgument()
    {
        string id = Sluice.Server.Storage.VersionIds.New();
        byte[] raw = Encoding.ASCII.GetBytes("bucket/key?versionId=" + id);
        byte[] decoded = new byte[raw.Length];
        Assert.True(CopySource.Parse(raw, decoded, out _, out var key, out string? versionId).IsNone);
        Assert.Equal(id, versionId);
        Assert.Equal("key", Encoding.ASCII.GetString(key.Of(decoded)));
        byte[] nullVersion = "/bucket/key?versionId=null"u8.ToArray();
        Assert.True(CopySource.Parse(nullVersion, new byte[nullVersion.Length], out _, out _, out versionId).IsNone);
        Assert.Equal("null", versionId);
        byte[] bad = "bucket/key?versionId=QUpfdndhfd8438MNFDN93jdnJFkdmqnh893"u8.ToArray();
        var problem = CopySource.Parse(bad, new byte[bad.Length], out _, out _, out _);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("Invalid version id specified", problem.Message);
    }

    [Fact]
    public void Long_keys_are_KeyTooLongError()
    {
        byte[] raw = Encoding.ASCII.GetBytes("bucket/" + new string('k', 1025));
        Assert.Equal(S3ErrorCode.KeyTooLongError, CopySource.Parse(raw, new byte[raw.Length], out _, out _).Code);
    }
}
