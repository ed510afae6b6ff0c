using System.Globalization;
using System.Text.Unicode;
using Sluice.S3.Errors;

namespace Sluice.S3.Naming;

/// <summary>
/// What makes an object key acceptable: "The name for a key is a sequence of Unicode characters whose UTF-8 encoding
/// is at most 1,024 bytes long" (Amazon S3 User Guide, "Naming Amazon S3 objects",
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). Any such sequence is legal — "..", "//",
/// spaces, control characters — so keys are never normalized; the store maps them to files safely.
/// </summary>
public static class ObjectKeyRules
{
    /// <summary>Longest key in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Checks <paramref name="key"/> (decoded UTF-8 bytes): KeyTooLongError past 1024 bytes (with Size and
    /// MaxSizeAllowed, as S3 sends them), InvalidURI when the bytes are not UTF-8.</summary>
    public static S3Problem Validate(ReadOnlySpan<byte> key)
    {
        if (key.Length > MaxKeyBytes)
        {
            return S3Problem.Of(S3ErrorCode.KeyTooLongError, null,
                "Size", key.Length.ToString(CultureInfo.InvariantCulture),
                "MaxSizeAllowed", MaxKeyBytes.ToString(CultureInfo.InvariantCulture));
        }

        return Utf8.IsValid(key) ? default : S3Problem.Of(S3ErrorCode.InvalidURI);
    }
}
