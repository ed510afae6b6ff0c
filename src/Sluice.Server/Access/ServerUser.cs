using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.Access;

/// <summary>
/// A user of the server (a line of <c>sluice serve --credentials</c>): a distinct principal and owner. Several access
/// keys may name one user (<see cref="AccessKeys"/>).
/// </summary>
/// <param name="Name">The user's name: Owner DisplayName in listings and ACLs, <c>aws:username</c>.</param>
/// <param name="CanonicalId">S3's canonical user id: Owner ID, what ACL grants name.</param>
public sealed record ServerUser(string Name, string CanonicalId)
{
    /// <summary>
    /// The user of every access key no user names, and of a two-field credentials line; the owner of buckets created
    /// before owners were recorded when no user is listed first. Its id is the one every bucket had before users
    /// existed, so an older client's x-amz-expected-bucket-owner still matches.
    /// </summary>
    public static ServerUser Default { get; } = new("sluice", "sluice");

    /// <summary>The access keys that sign as this user.</summary>
    public IReadOnlyList<string> AccessKeys { get; init; } = [];

    /// <summary>The server's administrator: allowed everything, on every bucket, as its owner would be.</summary>
    public bool IsAdmin { get; init; }

    /// <summary>The address an ACL grant may name the user by (AmazonCustomerByEmail); null: none.</summary>
    public string? Email { get; init; }

    /// <summary>A canonical id for a user named without one: 64 hex digits, like S3's, the same for the same name.</summary>
    public static string CanonicalIdFor(string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("sluice-user:" + name)));

    /// <summary>The 12-digit account id a bucket policy's Principal names the user by, derived from the canonical id.</summary>
    public string AccountId
    {
        get
        {
            ulong n = BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalId)));
            return (n % 1_000_000_000_000UL).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
