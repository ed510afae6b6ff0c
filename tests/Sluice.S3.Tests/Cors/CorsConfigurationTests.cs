using System.Buffers;
using System.Text;
using Sluice.S3.Cors;
using Sluice.S3.Errors;

namespace Sluice.S3.Tests.Cors;

/// <summary>The CORSConfiguration document: read as S3 takes it (any namespace, elements in any order), written back
/// canonically with values as sent, and S3's rules on the values.</summary>
public sealed class CorsConfigurationTests
{
    private static CorsConfiguration Read(string xml)
    {
        var read = CorsConfiguration.Read(Encoding.UTF8.GetBytes(xml));
        Assert.True(read.IsSuccess, read.Detail);
        return read.Value!;
    }

    [Fact]
    public void A_document_reads_and_writes_back_canonically()
    {
        var c = Read("""
            <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <CORSRule>
                <MaxAgeSeconds>10</MaxAgeSeconds><AllowedOrigin>http://*.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>
                <AllowedMethod>GET</AllowedMethod><ExposeHeader>ETag</ExposeHeader><AllowedHeader>X-Amz-*</AllowedHeader><ID>a&amp;b</ID>
              </CORSRule>
              <CORSRule><AllowedOrigin></AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
            </CORSConfiguration>
            """);
        Assert.True(c.Validate().IsNone);
        Assert.Equal(2, c.Rules.Count);
        Assert.Equal(["PUT", "GET"], c.Rules[0].AllowedMethods);
        Assert.Equal("a&b", c.Rules[0].Id);
        Assert.Equal(10, c.Rules[0].MaxAgeSeconds);
        Assert.Equal([""], c.Rules[1].AllowedOrigins);
        var output = new ArrayBufferWriter<byte>();
        c.WriteTo(output);
        string xml = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.EndsWith("<CORSRule><ID>a&amp;b</ID><AllowedHeader>X-Amz-*</AllowedHeader><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>"
            + "<AllowedOrigin>http://*.example</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>10</MaxAgeSeconds></CORSRule>"
            + "<CORSRule><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin></AllowedOrigin></CORSRule></CORSConfiguration>", xml);
        var again = Read(xml);
        Assert.Equal(c.Rules.Count, again.Rules.Count);
        Assert.Equal(c.Rules[0].AllowedHeaders, again.Rules[0].AllowedHeaders);
    }

    [Theory]
    [InlineData("<CORSConfiguration/>")]
    [InlineData("<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")]
    [InlineData("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>")]
    [InlineData("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><Bogus/></CORSRule></CORSConfiguration>")]
    [InlineData("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>x</MaxAgeSeconds></CORSRule></CORSConfiguration>")]
    [InlineData("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds></CORSRule></CORSConfiguration>")]
    [InlineData("<Other/>")]
    public void Malformed_documents_are_MalformedXML(string xml)
    {
        var read = CorsConfiguration.Read(Encoding.UTF8.GetBytes(xml));
        bool refused = !read.IsSuccess || read.Value!.Validate().Code == S3ErrorCode.MalformedXML;
        Assert.True(refused, xml);
    }

    [Theory]
    [InlineData("PATCH", "*", "h", S3ErrorCode.InvalidRequest)]
    [InlineData("get", "*", "h", S3ErrorCode.InvalidRequest)]
    [InlineData("", "*", "h", S3ErrorCode.InvalidRequest)]
    [InlineData("GET", "http://*.*.example", "h", S3ErrorCode.InvalidRequest)]
    [InlineData("GET", "*", "x-*-*", S3ErrorCode.InvalidRequest)]
    [InlineData("GET", "http://*.example", "x-amz-*", null)]
    public void S3s_rules_on_values(string method, string origin, string header, string? code)
    {
        var c = new CorsConfiguration();
        var rule = new CorsRule();
        rule.AllowedMethods.Add(method);
        rule.AllowedOrigins.Add(origin);
        rule.AllowedHeaders.Add(header);
        c.Rules.Add(rule);
        Assert.Equal(code, c.Validate().Code);
        rule.Id = new string('i', 256);
        if (code == null) Assert.Equal(S3ErrorCode.InvalidArgument, c.Validate().Code);
        for (int i = 0; i < 100; i++) c.Rules.Add(rule);
        Assert.NotNull(c.Validate().Code);
    }
}
