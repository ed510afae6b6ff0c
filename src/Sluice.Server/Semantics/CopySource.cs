using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Naming;
using Sluice.Server.Routing;

namespace Sluice.Server.Semantics;

/// <summary>
/// Parses <c>x-amz-copy-source</c>: the URL-encoded source as <c>bucket/key</c> or <c>/bucket/key</c>
/// (CopyObject API reference), optionally followed by <c>?versionId=…</c>, the source version.
/// </summary>
public static class CopySource
{
    /// <summary>AWS's message when the value does not name both a bucket and a key.</summary>
    public const string MissingPartsMessage = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey";

    private const string HeaderName = "x-amz-copy-source";

    /// <summary>
    /// Decodes <paramref name="value"/> into <paramref name="decoded"/> (at least as long as the value) and locates
    /// the bucket and the key in it. Problems: InvalidArgument (no bucket or key, bad encoding, invalid bucket name),
    /// KeyTooLongError.
    /// </summary>
    public static S3Problem Parse(ReadOnlySpan<byte> value, Span<byte> decoded, out HttpSlice bucket, out HttpSlice key) =>
        Parse(value, decoded, out bucket, out key, out _);

    /// <summary>As <see cref="Parse(ReadOnlySpan{byte}, Span{byte}, out HttpSlice, out HttpSlice)"/>, with the
    /// <c>versionId</c> the source names (null without one): <c>null</c> or a well-formed id, else InvalidArgument.</summary>
    public static S3Problem Parse(ReadOnlySpan<byte> value, Span<byte> decoded, out HttpSlice bucket, out HttpSlice key, out string? versionId)
    {
        bucket = key = default;
        versionId = null;
        ReadOnlySpan<byte> path = value.Trim(" \t"u8);
        int q = path.IndexOf((byte)'?');
        if (q >= 0)
        {
            ReadOnlySpan<byte> query = path[(q + 1)..];
            path = path[..q];
            foreach (Range r in query.Split((byte)'&'))
            {
                ReadOnlySpan<byte> pair = query[r];
                int eq = pair.IndexOf((byte)'=');
                if ((eq < 0 ? pair : pair[..eq]).SequenceEqual("versionId"u8))
                {
                    string id = eq < 0 ? string.Empty : System.Text.Encoding.ASCII.GetString(pair[(eq + 1)..]);
                    if (!Storage.VersionIds.IsValidRequestId(id))
                    {
                        return S3Problem.InvalidArgument("Invalid version id specified", HeaderName, value);
                    }

                    versionId = id;
                }
            }
        }

        if (!UriDecoding.TryDecode(path, decoded, plusIsSpace: false, strict: true, out int length))
        {
            return S3Problem.InvalidArgument("Invalid copy source encoding", HeaderName, value);
        }

        int start = length > 0 && decoded[0] == '/' ? 1 : 0;
        int slash = decoded[start..length].IndexOf((byte)'/');
        if (slash <= 0 || start + slash + 1 == length)
        {
            return S3Problem.InvalidArgument(MissingPartsMessage, HeaderName, value);
        }

        var b = new HttpSlice(start, slash);
        var k = new HttpSlice(start + slash + 1, length - (start + slash + 1));
        if (!BucketNameRules.IsValid(b.Of(decoded)))
        {
            return S3Problem.InvalidArgument("Invalid copy source bucket name", HeaderName, value);
        }

        S3Problem keyProblem = ObjectKeyRules.Validate(k.Of(decoded));
        if (!keyProblem.IsNone)
        {
            return keyProblem.Code == S3ErrorCode.InvalidURI
                ? S3Problem.InvalidArgument("Invalid copy source encoding", HeaderName, value)
                : keyProblem;
        }

        bucket = b;
        key = k;
        return default;
    }
}
