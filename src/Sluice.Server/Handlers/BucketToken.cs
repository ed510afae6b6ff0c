using System.Buffers.Text;
using System.Text;
using Sluice.S3.Naming;

namespace Sluice.Server.Handlers;

/// <summary>
/// ListBuckets' continuation token: the last bucket name of a page, base64url-encoded so clients treat it as opaque
/// (as S3's is). Decoding refuses anything that is not such a name.
/// </summary>
internal static class BucketToken
{
    public static string Encode(string lastBucket) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(lastBucket));

    /// <summary>The bucket name the token carries, or null when it carries none.</summary>
    public static string? Decode(string token)
    {
        if (token.Length == 0 || token.Length > 128) return null;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }
        return BucketNameRules.IsValid(bytes) ? Encoding.ASCII.GetString(bytes) : null;
    }
}
