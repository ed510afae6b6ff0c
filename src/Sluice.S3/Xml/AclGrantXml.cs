namespace Sluice.S3.Xml;

/// <summary>One <c>Grant</c> of an <see cref="AccessControlPolicy"/>: a grantee and a permission, as written.</summary>
public sealed class AclGrantXml
{
    /// <summary>The grantee's <c>xsi:type</c>: CanonicalUser, Group or AmazonCustomerByEmail ("" when missing).</summary>
    public string Type { get; set; } = "";

    public string? Id { get; set; }

    public string? DisplayName { get; set; }

    public string? EmailAddress { get; set; }

    public string? Uri { get; set; }

    /// <summary>READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL ("" when missing).</summary>
    public string Permission { get; set; } = "";
}
