using Sluice.Server.Access;
using static Sluice.Server.Tests.Access.PolicyTestRequests;

namespace Sluice.Server.Tests.Access;

/// <summary>
/// How a parsed policy judges requests, per IAM's evaluation logic: principals, actions and resources with their
/// wildcards and Not* forms, every condition operator with IfExists and the set qualifiers, policy variables, Deny
/// over Allow, and a request the policy cannot judge denied.
/// </summary>
public class BucketPolicyEvaluationTests
{
    private const AccessDecision Allow = AccessDecision.Allow;
    private const AccessDecision Deny = AccessDecision.ExplicitDeny;
    private const AccessDecision None = AccessDecision.NotApplicable;

    private static AccessDecision Judge(string json, AccessPrincipal principal, string action = "s3:GetObject", string? key = "a.jpg",
        Dictionary<string, string[]>? conditions = null) =>
        Parse(json).Evaluate(Request(principal, action, key, conditions));

    /// <summary>The decision of a GetObject by Alice on a policy allowing it under <paramref name="condition"/>.</summary>
    private static AccessDecision WithCondition(string condition, Dictionary<string, string[]>? keys) =>
        Judge(Statement(condition: condition), Alice, conditions: keys);

    private static Dictionary<string, string[]> Keys(string key, params string[] values) => new() { [key] = values };

    // ---------------------------------------------------------------- principals

    [Fact]
    public void Star_principal_includes_anonymous_and_every_user()
    {
        foreach (string principal in new[] { "\"*\"", "{\"AWS\":\"*\"}", "{\"AWS\":[\"*\"]}" })
        {
            string json = Statement(principal: principal);
            Assert.Equal(Allow, Judge(json, Anonymous));
            Assert.Equal(Allow, Judge(json, Alice));
            Assert.Equal(Allow, Judge(json, Mallory));
        }
    }

    [Fact]
    public void An_account_names_every_user_of_it_and_nobody_else()
    {
        foreach (string principal in new[] { "{\"AWS\":\"111122223333\"}", "{\"AWS\":\"arn:aws:iam::111122223333:root\"}" })
        {
            string json = Statement(principal: principal);
            Assert.Equal(Allow, Judge(json, Alice));
            Assert.Equal(Allow, Judge(json, Bob));
            Assert.Equal(None, Judge(json, Mallory));
            Assert.Equal(None, Judge(json, Anonymous));
        }
    }

    [Fact]
    public void A_user_arn_names_that_user_only()
    {
        string json = Statement(principal: "{\"AWS\":[\"arn:aws:iam::111122223333:user/alice\"]}");
        Assert.Equal(Allow, Judge(json, Alice));
        Assert.Equal(None, Judge(json, Bob));
        Assert.Equal(None, Judge(json, new AccessPrincipal("c-x", "alice", OtherAccount)));
        Assert.Equal(None, Judge(json, Anonymous));
    }

    [Fact]
    public void A_canonical_user_names_that_canonical_id()
    {
        string json = Statement(principal: "{\"CanonicalUser\":\"c-bob\"}");
        Assert.Equal(Allow, Judge(json, Bob));
        Assert.Equal(None, Judge(json, Alice));
        Assert.Equal(None, Judge(json, Anonymous));
    }

    [Fact]
    public void A_service_principal_matches_no_request() =>
        Assert.Equal(None, Judge(Statement(principal: "{\"Service\":\"logging.s3.amazonaws.com\"}"), Alice));

    [Fact]
    public void NotPrincipal_with_Deny_denies_everyone_but_the_named()
    {
        string json = Statement(effect: "Deny", principalElement: "NotPrincipal", principal: "{\"AWS\":\"arn:aws:iam::111122223333:user/alice\"}");
        Assert.Equal(None, Judge(json, Alice));
        Assert.Equal(Deny, Judge(json, Bob));
        Assert.Equal(Deny, Judge(json, Anonymous));
    }

    // ---------------------------------------------------------------- actions and resources

    [Theory]
    [InlineData("\"s3:GetObject\"", "s3:GetObject", true)]
    [InlineData("\"s3:getobject\"", "s3:GetObject", true)]
    [InlineData("\"S3:GET*\"", "s3:GetObjectTagging", true)]
    [InlineData("\"s3:Get*\"", "s3:PutObject", false)]
    [InlineData("\"s3:*Object\"", "s3:DeleteObject", true)]
    [InlineData("\"s3:*Object\"", "s3:DeleteObjectTagging", false)]
    [InlineData("\"s3:GetObject?ersion\"", "s3:GetObjectVersion", true)]
    [InlineData("\"s3:GetObject?ersion\"", "s3:GetObjectVVersion", false)]
    [InlineData("\"*\"", "s3:PutObject", true)]
    [InlineData("\"s3:*\"", "s3:PutObject", true)]
    [InlineData("[\"s3:PutObject\",\"s3:GetObject\"]", "s3:GetObject", true)]
    public void Action_patterns_match_case_insensitively(string action, string requested, bool matches) =>
        Assert.Equal(matches ? Allow : None, Judge(Statement(action: action), Alice, requested));

    [Fact]
    public void NotAction_applies_to_every_other_action()
    {
        string json = Statement(actionElement: "NotAction", action: "[\"s3:DeleteObject\",\"s3:Put*\"]");
        Assert.Equal(Allow, Judge(json, Alice, "s3:GetObject"));
        Assert.Equal(None, Judge(json, Alice, "s3:DeleteObject"));
        Assert.Equal(None, Judge(json, Alice, "s3:PutObjectTagging"));
    }

    [Theory]
    [InlineData("\"arn:aws:s3:::pics/*\"", "x", true)]
    [InlineData("\"arn:aws:s3:::pics/*\"", "dir/x/y", true)]
    [InlineData("\"arn:aws:s3:::pics/Photos/*\"", "Photos/a.jpg", true)]
    [InlineData("\"arn:aws:s3:::pics/Photos/*\"", "photos/a.jpg", false)]
    [InlineData("\"arn:aws:s3:::pics/a?.jpg\"", "ab.jpg", true)]
    [InlineData("\"arn:aws:s3:::pics/a?.jpg\"", "a.jpg", false)]
    [InlineData("\"arn:aws:s3:::pics/*.jpg\"", "x/y.jpg", true)]
    [InlineData("\"arn:aws:s3:::pics/*.jpg\"", "x/y.png", false)]
    [InlineData("\"arn:aws:s3:::pics\"", "x", false)]
    [InlineData("\"*\"", "x", true)]
    [InlineData("\"arn:aws:s3:::*\"", "x", true)]
    public void Resource_patterns_match_case_sensitively(string resource, string key, bool matches) =>
        Assert.Equal(matches ? Allow : None, Judge(Statement(action: "\"s3:*\"", resource: resource), Alice, key: key));

    [Fact]
    public void The_bucket_resource_is_not_an_object_resource()
    {
        string json = Statement(action: "\"s3:ListBucket\"", resource: "\"arn:aws:s3:::pics\"");
        Assert.Equal(Allow, Judge(json, Anonymous, "s3:ListBucket", key: null));
        Assert.Equal(None, Judge(Statement(action: "\"s3:*\"", resource: "\"arn:aws:s3:::pics/*\""), Anonymous, "s3:ListBucket", key: null));
    }

    [Fact]
    public void NotResource_applies_to_every_other_resource()
    {
        string json = Statement(effect: "Deny", action: "\"s3:*\"", resourceElement: "NotResource", resource: "\"arn:aws:s3:::pics/public/*\"");
        Assert.Equal(None, Judge(json, Alice, key: "public/a"));
        Assert.Equal(Deny, Judge(json, Alice, key: "private/a"));
        Assert.Equal(Deny, Judge(json, Alice, "s3:ListBucket", key: null));
    }

    // ---------------------------------------------------------------- combining statements

    [Fact]
    public void An_applying_Deny_wins_over_any_Allow_in_either_order()
    {
        const string AllowAll = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::pics/*\"}";
        const string DenySecret = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pics/secret/*\"}";
        foreach (string order in new[] { AllowAll + "," + DenySecret, DenySecret + "," + AllowAll })
        {
            string json = "{\"Version\":\"2012-10-17\",\"Statement\":[" + order + "]}";
            Assert.Equal(Deny, Judge(json, Alice, key: "secret/x"));
            Assert.Equal(Allow, Judge(json, Alice, key: "open/x"));
            Assert.Equal(Allow, Judge(json, Alice, "s3:PutObject", key: "secret/x"));
        }
    }

    [Fact]
    public void A_policy_with_no_applying_statement_is_not_applicable() =>
        Assert.Equal(None, Judge(Statement(effect: "Deny"), Alice, "s3:PutObject"));

    // ---------------------------------------------------------------- string operators

    [Theory]
    [InlineData("StringEquals", "Mozilla", true)]
    [InlineData("StringEquals", "mozilla", false)]
    [InlineData("StringNotEquals", "Mozilla", false)]
    [InlineData("StringNotEquals", "curl", true)]
    [InlineData("StringEqualsIgnoreCase", "MOZILLA", true)]
    [InlineData("StringEqualsIgnoreCase", "curl", false)]
    [InlineData("StringNotEqualsIgnoreCase", "MOZILLA", false)]
    [InlineData("StringNotEqualsIgnoreCase", "curl", true)]
    public void String_equality_operators(string op, string agent, bool matches) =>
        Assert.Equal(matches ? Allow : None, WithCondition("{\"" + op + "\":{\"aws:UserAgent\":[\"Mozilla\",\"Opera\"]}}", Keys("aws:UserAgent", agent)));

    [Fact]
    public void StringEquals_takes_wildcards_literally() =>
        Assert.Equal(None, WithCondition("{\"StringEquals\":{\"aws:UserAgent\":\"Moz*\"}}", Keys("aws:UserAgent", "Mozilla")));

    [Theory]
    [InlineData("StringLike", "http://www.example.com/page", true)]
    [InlineData("StringLike", "http://example.com/", false)]
    [InlineData("StringLike", "HTTP://WWW.EXAMPLE.COM/", false)]
    [InlineData("StringNotLike", "http://www.example.com/page", false)]
    [InlineData("StringNotLike", "http://evil.example.net/", true)]
    public void String_like_operators(string op, string referer, bool matches) =>
        Assert.Equal(matches ? Allow : None, WithCondition("{\"" + op + "\":{\"aws:Referer\":\"http://www.example.com/*\"}}", Keys("aws:Referer", referer)));

    [Fact]
    public void A_missing_key_fails_positive_operators_and_passes_negated_ones()
    {
        Assert.Equal(None, WithCondition("{\"StringEquals\":{\"aws:Referer\":\"x\"}}", null));
        Assert.Equal(None, WithCondition("{\"StringLike\":{\"aws:Referer\":\"*\"}}", null));
        Assert.Equal(Allow, WithCondition("{\"StringNotEquals\":{\"aws:Referer\":\"x\"}}", null));
        Assert.Equal(Allow, WithCondition("{\"StringNotLike\":{\"aws:Referer\":\"x*\"}}", null));
    }

    // ---------------------------------------------------------------- numeric, date, bool

    [Theory]
    [InlineData("NumericEquals", "10", true)]
    [InlineData("NumericEquals", "10.0", true)]
    [InlineData("NumericEquals", "11", false)]
    [InlineData("NumericNotEquals", "11", true)]
    [InlineData("NumericNotEquals", "10", false)]
    [InlineData("NumericLessThan", "9", true)]
    [InlineData("NumericLessThan", "10", false)]
    [InlineData("NumericLessThanEquals", "10", true)]
    [InlineData("NumericLessThanEquals", "11", false)]
    [InlineData("NumericGreaterThan", "11", true)]
    [InlineData("NumericGreaterThan", "10", false)]
    [InlineData("NumericGreaterThanEquals", "10", true)]
    [InlineData("NumericGreaterThanEquals", "9", false)]
    public void Numeric_operators(string op, string maxKeys, bool matches) =>
        Assert.Equal(matches ? Allow : None, Judge(
            Statement(action: "\"s3:ListBucket\"", resource: "\"arn:aws:s3:::pics\"", condition: "{\"" + op + "\":{\"s3:max-keys\":\"10\"}}"),
            Alice, "s3:ListBucket", key: null, conditions: Keys("s3:max-keys", maxKeys)));

    [Theory]
    [InlineData("DateEquals", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateEquals", "1893456000", true)] // the same instant in epoch seconds
    [InlineData("DateNotEquals", "2030-01-01T00:00:01Z", true)]
    [InlineData("DateNotEquals", "2030-01-01T01:00:00+01:00", false)]
    [InlineData("DateLessThan", "2029-12-31T23:59:59Z", true)]
    [InlineData("DateLessThan", "2030-01-01T00:00:00Z", false)]
    [InlineData("DateLessThanEquals", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThan", "2030-01-01T00:00:01Z", true)]
    [InlineData("DateGreaterThan", "2030-01-01T00:00:00Z", false)]
    [InlineData("DateGreaterThanEquals", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThanEquals", "2029-06-01", false)]
    public void Date_operators(string op, string now, bool matches) =>
        Assert.Equal(matches ? Allow : None, WithCondition("{\"" + op + "\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}", Keys("aws:CurrentTime", now)));

    [Theory]
    [InlineData("true", "true", true)]
    [InlineData("true", "TRUE", true)]
    [InlineData("true", "false", false)]
    [InlineData("false", "false", true)]
    public void Bool_operator(string wanted, string actual, bool matches) =>
        Assert.Equal(matches ? Allow : None, WithCondition("{\"Bool\":{\"aws:SecureTransport\":\"" + wanted + "\"}}", Keys("aws:SecureTransport", actual)));

    [Fact]
    public void A_request_value_the_operator_cannot_read_denies()
    {
        string json = Statement(action: "\"s3:ListBucket\"", resource: "\"arn:aws:s3:::pics\"", condition: "{\"NumericLessThan\":{\"s3:max-keys\":\"10\"}}");
        Assert.Equal(Deny, Judge(json, Alice, "s3:ListBucket", null, Keys("s3:max-keys", "ten")));
        Assert.Equal(Deny, WithCondition("{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01\"}}", Keys("aws:CurrentTime", "soon")));
        Assert.Equal(Deny, WithCondition("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", Keys("aws:SourceIp", "not-an-ip")));
    }

    [Fact]
    public void A_failing_key_source_denies()
    {
        var policy = Parse(Statement(condition: "{\"StringEquals\":{\"aws:UserAgent\":\"x\"}}"));
        var request = new AccessRequest { Principal = Alice, Action = "s3:GetObject", Bucket = Bucket, Key = "k", Conditions = new ThrowingKeys() };
        Assert.Equal(Deny, policy.Evaluate(request));
    }

    private sealed class ThrowingKeys : IConditionKeys
    {
        public bool TryGetValues(string key, out IReadOnlyList<string> values) => throw new IOException("tags unreadable");
    }

    // ---------------------------------------------------------------- addresses

    [Theory]
    [InlineData("IpAddress", "192.0.2.17", true)]
    [InlineData("IpAddress", "192.0.3.1", false)]
    [InlineData("IpAddress", "203.0.113.7", true)]
    [InlineData("IpAddress", "203.0.113.8", false)]
    [InlineData("IpAddress", "2001:db8:1::5", true)]
    [InlineData("IpAddress", "2001:db9::1", false)]
    [InlineData("IpAddress", "::ffff:192.0.2.1", true)]
    [InlineData("NotIpAddress", "192.0.2.17", false)]
    [InlineData("NotIpAddress", "198.51.100.1", true)]
    [InlineData("NotIpAddress", "2001:db8::1", false)]
    public void Ip_address_operators(string op, string source, bool matches) =>
        Assert.Equal(matches ? Allow : None, WithCondition(
            "{\"" + op + "\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"203.0.113.7\",\"2001:db8::/32\"]}}", Keys("aws:SourceIp", source)));

    [Fact]
    public void Host_bits_of_a_cidr_are_ignored() =>
        Assert.Equal(Allow, WithCondition("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.3/8\"}}", Keys("aws:SourceIp", "10.200.0.1")));

    // ---------------------------------------------------------------- ARNs and Null

    [Theory]
    [InlineData("ArnEquals", "arn:aws:sns:us-east-1:111122223333:topic", true)]
    [InlineData("ArnLike", "arn:aws:sns:eu-west-1:111122223333:topic", true)]
    [InlineData("ArnLike", "arn:aws:sns:eu-west-1:444455556666:topic", false)]
    [InlineData("ArnLike", "arn:aws:sns:eu:west:111122223333:topic", false)] // * never crosses a colon before the resource
    [InlineData("ArnLike", "not-an-arn", false)]
    [InlineData("ArnNotEquals", "arn:aws:sns:us-east-1:444455556666:topic", true)]
    [InlineData("ArnNotLike", "arn:aws:sns:us-east-1:111122223333:topic", false)]
    public void Arn_operators(string op, string source, bool matches) =>
        Assert.Equal(matches ? Allow : None, WithCondition("{\"" + op + "\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:topic\"}}", Keys("aws:SourceArn", source)));

    [Fact]
    public void Null_tests_whether_the_key_is_present()
    {
        const string Absent = "{\"Null\":{\"s3:x-amz-server-side-encryption\":\"true\"}}";
        const string Present = "{\"Null\":{\"s3:x-amz-server-side-encryption\":false}}";
        var sse = Keys("s3:x-amz-server-side-encryption", "AES256");
        Assert.Equal(Allow, WithCondition(Absent, null));
        Assert.Equal(None, WithCondition(Absent, sse));
        Assert.Equal(None, WithCondition(Present, null));
        Assert.Equal(Allow, WithCondition(Present, sse));
    }

    // ---------------------------------------------------------------- IfExists and set qualifiers

    [Fact]
    public void IfExists_passes_a_missing_key_and_tests_a_present_one()
    {
        const string Condition = "{\"StringLikeIfExists\":{\"aws:Referer\":\"http://www.example.com/*\"}}";
        Assert.Equal(Allow, WithCondition(Condition, null));
        Assert.Equal(Allow, WithCondition(Condition, Keys("aws:Referer", "http://www.example.com/")));
        Assert.Equal(None, WithCondition(Condition, Keys("aws:Referer", "http://example.com")));
        Assert.Equal(Allow, WithCondition("{\"NumericLessThanIfExists\":{\"s3:max-keys\":5}}", null));
    }

    [Fact]
    public void ForAllValues_needs_every_request_value_among_the_policys()
    {
        const string Condition = "{\"ForAllValues:StringEquals\":{\"s3:RequestObjectTagKeys\":[\"Project\",\"Owner\"]}}";
        Assert.Equal(Allow, WithCondition(Condition, null)); // an empty set: vacuously true
        Assert.Equal(Allow, WithCondition(Condition, Keys("s3:RequestObjectTagKeys", "Project")));
        Assert.Equal(Allow, WithCondition(Condition, Keys("s3:RequestObjectTagKeys", "Project", "Owner")));
        Assert.Equal(None, WithCondition(Condition, Keys("s3:RequestObjectTagKeys", "Project", "Cost")));
    }

    [Fact]
    public void ForAnyValue_needs_one_request_value_among_the_policys()
    {
        const string Condition = "{\"ForAnyValue:StringLike\":{\"s3:RequestObjectTagKeys\":[\"Proj*\"]}}";
        Assert.Equal(None, WithCondition(Condition, null));
        Assert.Equal(Allow, WithCondition(Condition, Keys("s3:RequestObjectTagKeys", "Cost", "Project")));
        Assert.Equal(None, WithCondition(Condition, Keys("s3:RequestObjectTagKeys", "Cost")));
        Assert.Equal(Allow, WithCondition("{\"ForAnyValue:StringNotEquals\":{\"s3:RequestObjectTagKeys\":\"Cost\"}}",
            Keys("s3:RequestObjectTagKeys", "Cost", "Owner")));
    }

    [Fact]
    public void Keys_and_operators_are_anded_and_values_ored()
    {
        const string Condition = "{\"StringEquals\":{\"aws:UserAgent\":[\"a\",\"b\"],\"aws:Referer\":\"r\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}";
        var all = new Dictionary<string, string[]> { ["aws:UserAgent"] = ["b"], ["aws:Referer"] = ["r"], ["aws:SecureTransport"] = ["true"] };
        Assert.Equal(Allow, WithCondition(Condition, all));
        Assert.Equal(None, WithCondition(Condition, new(all) { ["aws:Referer"] = ["q"] }));
        Assert.Equal(None, WithCondition(Condition, new(all) { ["aws:SecureTransport"] = ["false"] }));
        Assert.Equal(None, WithCondition(Condition, new(all) { ["aws:UserAgent"] = ["c"] }));
    }

    [Fact]
    public void Condition_key_names_compare_case_insensitively() =>
        Assert.Equal(Allow, WithCondition("{\"StringEquals\":{\"AWS:USERAGENT\":\"a\"}}", Keys("aws:UserAgent", "a")));

    // ---------------------------------------------------------------- policy variables

    [Fact]
    public void A_resource_variable_is_the_principals_own_value()
    {
        string json = Statement(principal: "{\"AWS\":\"111122223333\"}", action: "\"s3:*\"", resource: "\"arn:aws:s3:::pics/home/${aws:username}/*\"");
        Assert.Equal(Allow, Judge(json, Alice, key: "home/alice/x"));
        Assert.Equal(None, Judge(json, Alice, key: "home/bob/x"));
        Assert.Equal(Allow, Judge(json, Bob, key: "home/bob/x"));
    }

    [Fact]
    public void A_variables_value_is_matched_literally()
    {
        var star = new AccessPrincipal("c-star", "*", Account);
        string json = Statement(principal: "{\"AWS\":\"111122223333\"}", resource: "\"arn:aws:s3:::pics/home/${aws:username}/*\"");
        Assert.Equal(Allow, Judge(json, star, key: "home/*/x"));
        Assert.Equal(None, Judge(json, star, key: "home/alice/x"));
    }

    [Fact]
    public void A_condition_value_may_hold_a_variable()
    {
        string json = Statement(action: "\"s3:ListBucket\"", resource: "\"arn:aws:s3:::pics\"",
            condition: "{\"StringLike\":{\"s3:prefix\":[\"home/${aws:username}/*\",\"\"]}}");
        Assert.Equal(Allow, Judge(json, Alice, "s3:ListBucket", null, Keys("s3:prefix", "home/alice/docs/")));
        Assert.Equal(None, Judge(json, Alice, "s3:ListBucket", null, Keys("s3:prefix", "home/bob/")));
        Assert.Equal(Allow, Judge(json, Alice, "s3:ListBucket", null, Keys("s3:prefix", "")));
    }

    [Fact]
    public void Special_variables_are_literal_characters_and_defaults_fill_missing_keys()
    {
        string literal = Statement(resource: "\"arn:aws:s3:::pics/${*}${?}${$}\"");
        Assert.Equal(Allow, Judge(literal, Alice, key: "*?$"));
        Assert.Equal(None, Judge(literal, Alice, key: "abc"));
        string fallback = Statement(resource: "\"arn:aws:s3:::pics/${aws:Referer, 'none'}/*\"");
        Assert.Equal(Allow, Judge(fallback, Alice, key: "none/x"));
        Assert.Equal(Allow, Judge(fallback, Alice, key: "site/x", conditions: Keys("aws:Referer", "site")));
    }

    [Fact]
    public void A_variable_without_a_value_matches_nothing()
    {
        string json = Statement(resource: "\"arn:aws:s3:::pics/home/${aws:username}/*\"");
        Assert.Equal(None, Judge(json, Anonymous, key: "home//x"));
        Assert.Equal(None, Judge(json, Anonymous, key: "home/${aws:username}/x"));
    }

    [Fact]
    public void Version_2008_reads_variables_literally()
    {
        string json = Statement(version: "2008-10-17", resource: "\"arn:aws:s3:::pics/home/${aws:username}/*\"");
        Assert.Equal(Allow, Judge(json, Alice, key: "home/${aws:username}/x"));
        Assert.Equal(None, Judge(json, Alice, key: "home/alice/x"));
    }

    [Fact]
    public void Principal_keys_are_answered_from_the_principal()
    {
        Assert.Equal(Allow, WithCondition("{\"StringEquals\":{\"aws:PrincipalAccount\":\"111122223333\"}}", null));
        Assert.Equal(Allow, WithCondition("{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:user/alice\"}}", null));
        Assert.Equal(Allow, Judge(Statement(condition: "{\"StringEquals\":{\"aws:PrincipalType\":\"Anonymous\"}}"), Anonymous));
        Assert.Equal(None, Judge(Statement(condition: "{\"Null\":{\"aws:username\":\"false\"}}"), Anonymous));
    }

    // ---------------------------------------------------------------- IsPublic

    [Theory]
    [InlineData("Allow", "\"*\"", null, true)]
    [InlineData("Allow", "{\"AWS\":\"*\"}", null, true)]
    [InlineData("Deny", "\"*\"", null, false)]
    [InlineData("Allow", "{\"AWS\":\"111122223333\"}", null, false)]
    [InlineData("Allow", "{\"CanonicalUser\":\"c-bob\"}", null, false)]
    [InlineData("Allow", "\"*\"", "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", false)]
    [InlineData("Allow", "\"*\"", "{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"0.0.0.0/0\"]}}", true)]
    [InlineData("Allow", "\"*\"", "{\"IpAddressIfExists\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", true)]
    [InlineData("Allow", "\"*\"", "{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", true)]
    [InlineData("Allow", "\"*\"", "{\"StringEquals\":{\"aws:SourceArn\":\"arn:aws:sns:us-east-1:111122223333:t\"}}", false)]
    [InlineData("Allow", "\"*\"", "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:t\"}}", true)]
    [InlineData("Allow", "\"*\"", "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1a2b3c4d\"}}", false)]
    [InlineData("Allow", "\"*\"", "{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}", false)]
    [InlineData("Allow", "\"*\"", "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", true)]
    [InlineData("Allow", "\"*\"", "{\"StringLike\":{\"aws:Referer\":\"http://www.example.com/*\"}}", true)]
    public void IsPublic_follows_S3s_meaning_of_public(string effect, string principal, string? condition, bool expected) =>
        Assert.Equal(expected, Parse(Statement(effect: effect, principal: principal, condition: condition)).IsPublic);

    [Fact]
    public void NotPrincipal_with_Allow_is_public() =>
        Assert.True(Parse(Statement(principalElement: "NotPrincipal", principal: "{\"AWS\":\"111122223333\"}")).IsPublic);
}
