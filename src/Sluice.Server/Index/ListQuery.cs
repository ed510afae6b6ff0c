using System.Text;
using Sluice.S3.Errors;

namespace Sluice.Server.Index;

/// <summary>
/// One ListObjects page request in index terms: prefix, delimiter, max-keys and the exclusive start bound
/// (V1 <c>marker</c>, V2 <c>start-after</c> or the decoded <c>continuation-token</c>). Build it with
/// <see cref="TryCreateV1"/> or <see cref="TryCreateV2"/>, which apply S3's parameter rules.
/// </summary>
public readonly ref struct ListQuery
{
    /// <summary>S3's cap on max-keys; larger requests get this many.</summary>
    public const int MaxKeysLimit = 1000;

    /// <summary>max-keys when the request does not give one.</summary>
    public const int DefaultMaxKeys = 1000;

    /// <summary>Creates a query; <paramref name="maxKeys"/> above <see cref="MaxKeysLimit"/> is capped.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKeys"/> is negative.</exception>
    public ListQuery(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> delimiter, int maxKeys, ReadOnlySpan<byte> after)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxKeys);
        Prefix = prefix;
        Delimiter = delimiter;
        MaxKeys = Math.Min(maxKeys, MaxKeysLimit);
        After = after;
    }

    /// <summary>Only keys starting with this (UTF-8); empty for all.</summary>
    public ReadOnlySpan<byte> Prefix { get; }

    /// <summary>Roll-up delimiter (UTF-8); empty for none.</summary>
    public ReadOnlySpan<byte> Delimiter { get; }

    /// <summary>Most keys plus common prefixes to return, 0..1000.</summary>
    public int MaxKeys { get; }

    /// <summary>Results sort strictly after this; empty for the start.</summary>
    public ReadOnlySpan<byte> After { get; }

    /// <summary>ListObjects (V1): <paramref name="marker"/> is the exclusive start. Null strings mean absent.</summary>
    public static bool TryCreateV1(string? prefix, string? delimiter, int maxKeys, string? marker, out ListQuery query, out S3Error? error)
    {
        query = default;
        if (!CheckMaxKeys(maxKeys, out error))
        {
            return false;
        }

        query = new ListQuery(Utf8(prefix), Utf8(delimiter), maxKeys, Utf8(marker));
        return true;
    }

    /// <summary>
    /// ListObjectsV2: a continuation token, when present, wins over <paramref name="startAfter"/> (S3 ignores
    /// start-after on continued listings); a token that does not decode is InvalidArgument.
    /// </summary>
    public static bool TryCreateV2(string? prefix, string? delimiter, int maxKeys, string? startAfter, string? continuationToken, out ListQuery query, out S3Error? error)
    {
        query = default;
        if (!CheckMaxKeys(maxKeys, out error))
        {
            return false;
        }

        byte[] after;
        if (continuationToken is not null)
        {
            if (!ContinuationToken.TryDecode(continuationToken, out after))
            {
                error = new S3Error(S3ErrorCode.InvalidArgument, "The continuation token provided is incorrect")
                    .WithDetail("ArgumentName", "continuation-token")
                    .WithDetail("ArgumentValue", continuationToken);
                return false;
            }
        }
        else
        {
            after = Utf8(startAfter);
        }

        query = new ListQuery(Utf8(prefix), Utf8(delimiter), maxKeys, after);
        return true;
    }

    private static bool CheckMaxKeys(int maxKeys, out S3Error? error)
    {
        if (maxKeys < 0)
        {
            error = new S3Error(S3ErrorCode.InvalidArgument, "Provided max-keys not an integer or within integer range")
                .WithDetail("ArgumentName", "max-keys")
                .WithDetail("ArgumentValue", maxKeys.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return false;
        }

        error = null;
        return true;
    }

    private static byte[] Utf8(string? text) => string.IsNullOrEmpty(text) ? [] : Encoding.UTF8.GetBytes(text);
}
