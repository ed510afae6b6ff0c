using System.Text;
using Sluice.Server.Access;
using static Sluice.Server.Tests.Access.PolicyTestRequests;

namespace Sluice.Server.Tests.Access;

/// <summary>
/// Documents S3 refuses, each with S3's MalformedPolicy message (as AWS answers PutBucketPolicy), and documents it
/// accepts in all their written forms.
/// </summary>
public class BucketPolicyParseTests
{
    [Theory]
    [InlineData("", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData(" {}", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData("[1]", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData("{\"Version\":", "This policy contains invalid Json")]
    [InlineData("{\"Version\":\"2012-10-17\",}", "This policy contains invalid Json")]
    [InlineData("{\"Version\":\"2012-10-17\"}", "Missing required field Statement")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[]}", "Could not parse the policy: Statement is empty!")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":\"x\"}", "This policy contains invalid Json")]
    [InlineData("{\"Version\":\"2012-10-18\",\"Statement\":[]}", "The policy must contain a valid version string")]
    [InlineData("{\"Version\":2012,\"Statement\":[]}", "The policy must contain a valid version string")]
    [InlineData("{\"Statements\":[]}", "Unknown field Statements")]
    [InlineData("{\"Statement\":[{\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/*\"}]}", "Missing required field Effect")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/*\"}]}", "Missing required field Principal")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::pics/*\"}]}", "Missing required field Action")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}]}", "Missing required field Resource")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/*\",\"Actions\":1}]}", "Unknown field Actions")]
    [InlineData("{\"Statement\":[{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/*\"},{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/*\"}]}",
        "Statement IDs (SID) in a single policy must be unique.")]
    public void Malformed_documents_get_S3s_message(string json, string message)
    {
        var e = Refused(json);
        Assert.Equal(BucketPolicyException.MalformedPolicy, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("Allows")]
    [InlineData("allow")]
    [InlineData("DENY")]
    public void Effect_is_Allow_or_Deny_exactly(string effect) =>
        Assert.Equal("Invalid effect: " + effect, Refused(Statement(effect: effect)).Message);

    [Theory]
    [InlineData("\"bob\"")]
    [InlineData("\"\"")]
    [InlineData("[\"*\"]")]
    [InlineData("{}")]
    [InlineData("{\"AWS\":[]}")]
    [InlineData("{\"AWS\":\"bob\"}")]
    [InlineData("{\"AWS\":\"12345\"}")]
    [InlineData("{\"AWS\":\"arn:aws:iam::*:root\"}")]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:user/*\"}")]
    [InlineData("{\"AWS\":\"arn:aws:s3:::pics\"}")]
    [InlineData("{\"AWS\":7}")]
    [InlineData("{\"CanonicalUser\":\"\"}")]
    [InlineData("{\"Someone\":\"x\"}")]
    public void Principal_forms_S3_does_not_know_are_refused(string principal) =>
        Assert.Equal("Invalid principal in policy", Refused(Statement(principal: principal)).Message);

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("{\"AWS\":\"*\"}")]
    [InlineData("{\"AWS\":[\"*\"]}")]
    [InlineData("{\"AWS\":\"111122223333\"}")]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:root\"}")]
    [InlineData("{\"AWS\":[\"arn:aws:iam::111122223333:user/alice\",\"arn:aws:iam::444455556666:user/team/bob\"]}")]
    [InlineData("{\"CanonicalUser\":\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\"}")]
    [InlineData("{\"Service\":\"logging.s3.amazonaws.com\"}")]
    public void Principal_forms_S3_knows_are_accepted(string principal) => Parse(Statement(principal: principal));

    [Theory]
    [InlineData("\"s3:GetObjekt\"")]
    [InlineData("\"GetObject\"")]
    [InlineData("\"iam:CreateUser\"")]
    [InlineData("\"s3:Nothing*\"")]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("[\"s3:GetObject\",\"s3:Bogus\"]")]
    [InlineData("{\"a\":1}")]
    public void Unknown_actions_are_refused(string action) =>
        Assert.Equal("Policy has invalid action", Refused(Statement(action: action)).Message);

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("\"s3:*\"")]
    [InlineData("\"S3:GETOBJECT\"")]
    [InlineData("\"s3:Get*\"")]
    [InlineData("\"s3:GetObject?ersion\"")]
    [InlineData("[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObjectVersion\"]")]
    public void Known_actions_and_patterns_are_accepted(string action) => Parse(Statement(action: action));

    [Theory]
    [InlineData("\"arn:aws:s3:::other/*\"")]
    [InlineData("\"arn:aws:s3:::other\"")]
    [InlineData("\"arn:aws:s3:::picsx/*\"")]
    [InlineData("\"arn:aws:s3:::pic\"")]
    [InlineData("\"arn:aws:iam::111122223333:root\"")]
    [InlineData("\"pics/*\"")]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("[\"arn:aws:s3:::pics/*\",\"arn:aws:s3:::other/*\"]")]
    public void Resources_outside_the_bucket_are_refused(string resource) =>
        Assert.Equal("Policy has invalid resource", Refused(Statement(action: "\"s3:*\"", resource: resource)).Message);

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("\"arn:aws:s3:::*\"")]
    [InlineData("\"arn:aws:s3:::*/*\"")]
    [InlineData("\"arn:aws:s3:::pi*\"")]
    [InlineData("\"arn:aws:s3:::p?cs/*\"")]
    [InlineData("\"arn:aws:s3:::pics/${aws:username}/*\"")]
    [InlineData("[\"arn:aws:s3:::pics\",\"arn:aws:s3:::pics/*\"]")]
    public void Resources_naming_the_bucket_or_its_objects_are_accepted(string resource) =>
        Parse(Statement(action: "\"s3:*\"", resource: resource));

    [Theory]
    [InlineData("\"s3:GetObject\"", "\"arn:aws:s3:::pics\"")]
    [InlineData("\"s3:ListBucket\"", "\"arn:aws:s3:::pics/*\"")]
    [InlineData("[\"s3:ListBucket\",\"s3:PutObject\"]", "\"arn:aws:s3:::pics\"")]
    [InlineData("\"s3:ListAllMyBuckets\"", "\"arn:aws:s3:::pics\"")]
    public void An_action_none_of_the_resources_can_take_is_refused(string action, string resource) =>
        Assert.Equal("Action does not apply to any resource(s) in statement", Refused(Statement(action: action, resource: resource)).Message);

    [Fact]
    public void Bucket_and_object_actions_share_a_statement_naming_both_resources() =>
        Parse(Statement(action: "[\"s3:ListBucket\",\"s3:GetObject\"]", resource: "[\"arn:aws:s3:::pics\",\"arn:aws:s3:::pics/*\"]"));

    [Theory]
    [InlineData("{\"StringEqualz\":{\"aws:username\":\"a\"}}", "Invalid Condition type : StringEqualz")]
    [InlineData("{\"ForSomeValues:StringEquals\":{\"aws:username\":\"a\"}}", "Invalid Condition type : ForSomeValues:StringEquals")]
    [InlineData("{\"NullIfExists\":{\"aws:username\":\"true\"}}", "Invalid Condition type : NullIfExists")]
    [InlineData("{\"StringEquals\":{\"aws:nonsense\":\"a\"}}", "Policy has an invalid condition key")]
    [InlineData("{\"StringEquals\":{\"s3:ExistingObjectTag/\":\"a\"}}", "Policy has an invalid condition key")]
    [InlineData("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.300/8\"}}", "Invalid IP address in Conditions")]
    [InlineData("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}", "Invalid IP address in Conditions")]
    [InlineData("{\"StringEquals\":\"x\"}", "This policy contains invalid Json")]
    [InlineData("{\"StringEquals\":{\"aws:username\":{\"a\":1}}}", "This policy contains invalid Json")]
    public void Conditions_S3_cannot_read_are_refused(string condition, string message) =>
        Assert.Equal(message, Refused(Statement(condition: condition)).Message);

    [Fact]
    public void A_document_over_20_KB_is_PolicyTooLarge()
    {
        string padding = new(' ', BucketPolicy.MaxDocumentBytes);
        var e = Refused(Statement()[..^1] + padding + "}");
        Assert.Equal(BucketPolicyException.PolicyTooLarge, e.Code);
        Assert.Equal("Policy exceeds the maximum allowed document size.", e.Message);
        // Exactly the limit is accepted.
        string json = Statement();
        Parse(json[..^1] + new string(' ', BucketPolicy.MaxDocumentBytes - Encoding.UTF8.GetByteCount(json)) + "}");
    }

    [Fact]
    public void Version_defaults_to_2008_and_a_single_statement_object_is_read()
    {
        var policy = Parse("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/*\"}}");
        Assert.Equal(BucketPolicy.Version2008, policy.Version);
        Assert.Equal(1, policy.StatementCount);
        Assert.Equal(AccessDecision.Allow, policy.Evaluate(Request(Anonymous, "s3:GetObject", "a")));
    }

    [Fact]
    public void Existence_of_named_principals_is_checked_when_a_directory_is_given()
    {
        string json = Statement(principal: "{\"AWS\":\"arn:aws:iam::111122223333:user/alice\"}");
        BucketPolicy.Parse(Encoding.UTF8.GetBytes(json), Bucket, p => p.EndsWith("/alice", StringComparison.Ordinal));
        var e = Assert.Throws<BucketPolicyException>(() => BucketPolicy.Parse(Encoding.UTF8.GetBytes(json), Bucket, _ => false));
        Assert.Equal("Invalid principal in policy", e.Message);
    }

    [Fact]
    public void Every_operator_form_is_accepted()
    {
        string[] operators =
        [
            "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
        ];
        foreach (string op in operators)
            foreach (string form in new[] { op, op + "IfExists", "ForAllValues:" + op, "ForAnyValue:" + op + "IfExists" })
                Parse(Statement(condition: "{\"" + form + "\":{\"aws:UserAgent\":[\"a\",\"b*\"]}}"));
        foreach (string op in new[] { "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals" })
            Parse(Statement(action: "\"s3:ListBucket\"", resource: "\"arn:aws:s3:::pics\"", condition: "{\"" + op + "IfExists\":{\"s3:max-keys\":10}}"));
        foreach (string op in new[] { "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals" })
            Parse(Statement(condition: "{\"" + op + "\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}"));
        foreach (string op in new[] { "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike" })
            Parse(Statement(condition: "{\"" + op + "\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:topic\"}}"));
        Parse(Statement(condition: "{\"Bool\":{\"aws:SecureTransport\":true},\"Null\":{\"s3:x-amz-server-side-encryption\":\"true\"}}"));
        Parse(Statement(condition: "{\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"2001:db8::/32\",\"203.0.113.7\"]},\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.9/32\"}}"));
    }
}
