using Sluice.S3.Errors;
using Sluice.Server.Routing;
using static Sluice.Server.Tests.Routing.RouteTestHelpers;

namespace Sluice.Server.Tests.Routing;

/// <summary>Query decoding and S3's checks of query parameters. Expected messages are AWS's, as measured by
/// github.com/brekkylab/backlot (backlot/routers/s3.py) and by versity/versitygw (s3err/invalid-arg.go).</summary>
public sealed class S3QueryTests
{
    [Fact]
    public void Values_are_decoded_with_plus_as_space_and_the_first_repeat_wins()
    {
        var q = new S3Query();
        q.Parse("prefix=a+b%2Fc&prefix=zz&delimiter=%2F&max-keys=05&encoding-type=url&bogus=1&marker=100%25&start-after"u8);
        Assert.Equal("a b/c", q.GetString(S3QueryParameter.Prefix));
        Assert.Equal("/", q.GetString(S3QueryParameter.Delimiter));
        Assert.Equal("100%", q.GetString(S3QueryParameter.Marker));
        Assert.True(q.Has(S3QueryParameter.StartAfter));
        Assert.Equal(string.Empty, q.GetString(S3QueryParameter.StartAfter));
        Assert.Null(q.GetString(S3QueryParameter.ContinuationToken));
        Assert.False(q.HasPresignParameters);
    }

    [Fact]
    public void A_reused_query_forgets_the_previous_requests_parameters()
    {
        // The query object lives per connection: a keep-alive request without max-keys must not see the last one's.
        var q = new S3Query();
        q.Parse("max-keys=250&prefix=abc"u8);
        Assert.True(q.Validate(S3Operation.ListObjects, partNumberReads: false).IsNone);
        Assert.Equal(250, q.MaxKeys);
        q.Parse("list-type=2&delimiter=%2F"u8);
        Assert.True(q.Get(S3QueryParameter.MaxKeys).IsEmpty);
        Assert.True(q.Get(S3QueryParameter.Prefix).IsEmpty);
        Assert.True(q.Validate(S3Operation.ListObjectsV2, partNumberReads: false).IsNone);
        Assert.Equal(S3Query.MaxPageSize, q.MaxKeys);
    }

    [Fact]
    public void Malformed_escapes_in_the_query_stay_literal()
    {
        var q = new S3Query();
        q.Parse("prefix=%zz%4"u8);
        Assert.Equal("%zz%4", q.GetString(S3QueryParameter.Prefix));
    }

    [Fact]
    public void Presign_parameters_are_noticed_and_not_taken_as_selectors()
    {
        var q = new S3Query();
        q.Parse("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&x-amz-signature=ab"u8);
        Assert.True(q.HasPresignParameters);
        Assert.Equal(0UL, q.Selectors);
    }

    [Fact]
    public void Response_overrides_are_exposed()
    {
        (var problem, S3Route route) = Route("GET",
            "/b-1/k?response-content-type=text%2Fplain&response-content-language=mi%2C+en&response-expires=Thu%2C+01+Dec+1994+16%3A00%3A00+GMT" +
            "&response-cache-control=no-cache&response-content-disposition=attachment%3B+filename%3D%22a+b.txt%22&response-content-encoding=gzip");
        Assert.True(problem.IsNone);
        S3Query q = route.Query;
        Assert.Equal("text/plain", q.GetString(S3QueryParameter.ResponseContentType));
        Assert.Equal("mi, en", q.GetString(S3QueryParameter.ResponseContentLanguage));
        Assert.Equal("Thu, 01 Dec 1994 16:00:00 GMT", q.GetString(S3QueryParameter.ResponseExpires));
        Assert.Equal("no-cache", q.GetString(S3QueryParameter.ResponseCacheControl));
        Assert.Equal("attachment; filename=\"a b.txt\"", q.GetString(S3QueryParameter.ResponseContentDisposition));
        Assert.Equal("gzip", q.GetString(S3QueryParameter.ResponseContentEncoding));
    }

    [Theory]
    [InlineData("", 1000)]
    [InlineData("max-keys=", 1000)]
    [InlineData("max-keys=0", 0)]
    [InlineData("max-keys=05", 5)]
    [InlineData("max-keys=-0", 0)]
    [InlineData("max-keys=1001", 1001)]
    [InlineData("max-keys=2147483647", 2147483647)]
    [InlineData("max-keys=00002147483647", 2147483647)]
    public void Max_keys_parses_as_AWS_does(string query, int expected)
    {
        (var problem, S3Route route) = Route("GET", "/bucket?list-type=2&" + query);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(expected, route.Query.MaxKeys);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("+5")]
    [InlineData("%205")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("1.5")]
    [InlineData("-")]
    public void Max_keys_that_is_not_an_int32_is_refused(string value)
    {
        (var problem, _) = Route("GET", "/bucket?max-keys=" + value);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("Provided max-keys not an integer or within integer range", problem.Message);
        Assert.Equal("max-keys", problem.GetDetail("ArgumentName"));
        Assert.Equal(Uri.UnescapeDataString(value.Replace("+", " ", StringComparison.Ordinal)), problem.GetDetail("ArgumentValue"));
    }

    [Theory]
    [InlineData("-1", "-1")]
    [InlineData("-01", "-1")]
    [InlineData("-2147483648", "-2147483648")]
    public void Negative_max_keys_is_refused_naming_maxKeys(string value, string reported)
    {
        (var problem, _) = Route("GET", "/bucket?list-type=2&max-keys=" + value);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("Argument maxKeys must be an integer between 0 and 2147483647", problem.Message);
        Assert.Equal("maxKeys", problem.GetDetail("ArgumentName"));
        Assert.Equal(reported, problem.GetDetail("ArgumentValue"));
    }

    [Fact]
    public void Listing_checks_run_in_AWS_order()
    {
        // max-keys must parse before start-after is refused on V1.
        (var problem, _) = Route("GET", "/bucket?start-after=x&max-keys=abc");
        Assert.Equal("max-keys", problem.GetDetail("ArgumentName"));

        // encoding-type is judged before the max-keys range.
        (problem, _) = Route("GET", "/bucket?max-keys=-1&encoding-type=xml");
        Assert.Equal("encoding-type", problem.GetDetail("ArgumentName"));
    }

    [Theory]
    [InlineData("/bucket?continuation-token=abc", "continuation-token only supported in REST.GET.BUCKET with list-type=2", "continuation-token")]
    [InlineData("/bucket?start-after=abc", "startAfter only supported in REST.GET.BUCKET with list-type=2", "start-after")]
    [InlineData("/bucket?list-type=2&marker=abc", "Marker unsupported with REST.GET.BUCKET in list-type=2", "marker")]
    public void Parameters_of_the_other_listing_version_are_refused(string target, string message, string name)
    {
        (var problem, _) = Route("GET", target);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal(message, problem.Message);
        Assert.Equal(name, problem.GetDetail("ArgumentName"));
        Assert.Null(problem.GetDetail("ArgumentValue"));
    }

    [Theory]
    [InlineData("url", true)]
    [InlineData("URL", true)]
    public void Encoding_type_url_is_accepted_without_case(string value, bool expected)
    {
        (var problem, S3Route route) = Route("GET", "/bucket?list-type=2&encoding-type=" + value);
        Assert.True(problem.IsNone);
        Assert.Equal(expected, route.Query.UrlEncoded);
    }

    [Theory]
    [InlineData("GET", "/bucket?encoding-type=xml")]
    [InlineData("GET", "/bucket?list-type=2&encoding-type=")]
    [InlineData("GET", "/bucket?uploads&encoding-type=base64")]
    public void Other_encoding_types_are_refused(string method, string target)
    {
        (var problem, _) = Route(method, target);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("Invalid Encoding Method specified in Request", problem.Message);
        Assert.Equal("encoding-type", problem.GetDetail("ArgumentName"));
    }

    [Theory]
    [InlineData("fetch-owner=true", true)]
    [InlineData("fetch-owner=True", true)]
    [InlineData("fetch-owner=false", false)]
    [InlineData("", false)]
    public void Fetch_owner(string query, bool expected)
    {
        (var problem, S3Route route) = Route("GET", "/bucket?list-type=2&" + query);
        Assert.True(problem.IsNone);
        Assert.Equal(expected, route.Query.FetchOwner);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("10000", 10000)]
    [InlineData("0042", 42)]
    public void Part_numbers_in_range_are_accepted(string value, int expected)
    {
        (var problem, S3Route route) = Route("PUT", "/bucket/key?uploadId=u&partNumber=" + value);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(expected, route.Query.PartNumber);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("99999999999")]
    public void Part_numbers_out_of_range_are_refused(string value)
    {
        (var problem, _) = Route("PUT", "/bucket/key?uploadId=u&partNumber=" + value);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("Part number must be an integer between 1 and 10000, inclusive", problem.Message);
        Assert.Equal("partNumber", problem.GetDetail("ArgumentName"));
        Assert.Equal(value, problem.GetDetail("ArgumentValue"));
    }

    [Fact]
    public void List_parts_limits()
    {
        (var problem, S3Route route) = Route("GET", "/bucket/key?uploadId=u&max-parts=2&part-number-marker=7");
        Assert.True(problem.IsNone);
        Assert.Equal(2, route.Query.MaxParts);
        Assert.Equal(7, route.Query.PartNumberMarker);

        (problem, route) = Route("GET", "/bucket/key?uploadId=u");
        Assert.True(problem.IsNone);
        Assert.Equal(1000, route.Query.MaxParts);
        Assert.Equal(0, route.Query.PartNumberMarker);

        (problem, _) = Route("GET", "/bucket/key?uploadId=u&max-parts=x");
        Assert.Equal("Provided max-parts not an integer or within integer range", problem.Message);
        (problem, _) = Route("GET", "/bucket/key?uploadId=u&max-parts=-3");
        Assert.Equal("Argument max-parts must be an integer between 0 and 2147483647", problem.Message);
        (problem, _) = Route("GET", "/bucket/key?uploadId=u&part-number-marker=-3");
        Assert.Equal("part-number-marker", problem.GetDetail("ArgumentName"));
    }

    [Fact]
    public void List_uploads_limits()
    {
        (var problem, S3Route route) = Route("GET", "/bucket?uploads&max-uploads=3&key-marker=a%20b&upload-id-marker=u1&prefix=p&delimiter=%2F");
        Assert.True(problem.IsNone);
        Assert.Equal(3, route.Query.MaxUploads);
        Assert.Equal("a b", route.Query.GetString(S3QueryParameter.KeyMarker));
        Assert.Equal("u1", route.Query.GetString(S3QueryParameter.UploadIdMarker));

        (problem, _) = Route("GET", "/bucket?uploads&max-uploads=abc");
        Assert.Equal("Provided max-uploads not an integer or within integer range", problem.Message);
        (problem, _) = Route("GET", "/bucket?uploads&max-uploads=-1");
        Assert.Equal("Argument max-uploads must be an integer between 0 and 2147483647", problem.Message);
        Assert.Equal("max-uploads", problem.GetDetail("ArgumentName"));
    }

    [Fact]
    public void Subresource_table_is_sorted_ordinally_and_fits_the_mask()
    {
        var names = S3Subresources.Table.Select(e => System.Text.Encoding.ASCII.GetString(e.Name)).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.True(names.Length <= 64);
    }
}
