using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.S3.Objects;

/// <summary>
/// S3 entity tags: a single-part object's ETag is the quoted lowercase hex MD5 of its body; a multipart object's is
/// the quoted hex MD5 of the concatenated binary MD5s of its parts, then "-" and the part count
/// (Amazon S3 User Guide, "Checking object integrity"; see <see cref="MultipartETag"/>).
/// </summary>
public static class ETag
{
    /// <summary>Length of a quoted single-part ETag: 32 hex digits and two quotes.</summary>
    public const int SinglePartLength = 34;

    /// <summary>Longest quoted multipart ETag: 32 hex digits, "-", up to 5 digits of part count, two quotes.</summary>
    public const int MaxLength = SinglePartLength + 1 + 5;

    /// <summary>Writes <c>"hex(md5)"</c>; <paramref name="md5"/> must be 16 bytes.</summary>
    public static int FormatSinglePart(ReadOnlySpan<byte> md5, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(md5.Length, Md5Digest.HashSizeInBytes, nameof(md5));
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, SinglePartLength, nameof(destination));
        destination[0] = (byte)'"';
        Convert.TryToHexStringLower(md5, destination[1..33], out _);
        destination[33] = (byte)'"';
        return SinglePartLength;
    }

    /// <summary>Writes <c>"hex(md5OfPartMd5s)-partCount"</c>.</summary>
    public static int FormatMultipart(ReadOnlySpan<byte> md5OfPartMd5s, int partCount, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(md5OfPartMd5s.Length, Md5Digest.HashSizeInBytes, nameof(md5OfPartMd5s));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MaxLength, nameof(destination));
        destination[0] = (byte)'"';
        Convert.TryToHexStringLower(md5OfPartMd5s, destination[1..33], out _);
        destination[33] = (byte)'-';
        Utf8Formatter.TryFormat(partCount, destination[34..], out int digits);
        destination[34 + digits] = (byte)'"';
        return 35 + digits;
    }

    /// <summary>The single-part ETag of <paramref name="body"/>.</summary>
    public static int ComputeSinglePart(ReadOnlySpan<byte> body, Span<byte> destination)
    {
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        Md5Digest.HashData(body, md5);
        return FormatSinglePart(md5, destination);
    }

    /// <summary>
    /// Reads the MD5 out of an ETag as clients send it back (CompleteMultipartUpload parts, conditions): 32 hex
    /// digits, quoted or not, either case. <paramref name="partCount"/> is 0 for a single-part ETag, else the count
    /// after "-". False for anything else.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> etag, Span<byte> md5, out int partCount)
    {
        partCount = 0;
        ReadOnlySpan<byte> opaque = Unquote(etag);
        if (md5.Length < Md5Digest.HashSizeInBytes || opaque.Length < 32)
        {
            return false;
        }

        if (opaque.Length > 32)
        {
            // "-N": 1..10000 with no sign or leading zero, as S3 writes it.
            ReadOnlySpan<byte> count = opaque[33..];
            if (opaque[32] != '-' || count.IsEmpty || count[0] == '0' || count.Length > 5 || count.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
                || !Utf8Parser.TryParse(count, out partCount, out int used) || used != count.Length || partCount > 10_000)
            {
                partCount = 0;
                return false;
            }
        }

        if (Convert.FromHexString(opaque[..32], md5[..Md5Digest.HashSizeInBytes], out _, out int written) != OperationStatus.Done
            || written != Md5Digest.HashSizeInBytes)
        {
            partCount = 0;
            return false;
        }

        return true;
    }

    /// <summary>The opaque part of an entity tag: without W/ and surrounding quotes. Unquoted input is returned as
    /// is, because clients (and S3) accept bare hex where a quoted tag is due.</summary>
    public static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> etag)
    {
        if (etag.StartsWith("W/"u8))
        {
            etag = etag[2..];
        }

        return etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"' ? etag[1..^1] : etag;
    }

    /// <summary><see cref="TryParse(ReadOnlySpan{byte}, Span{byte}, out int)"/> for an ETag a client holds as text
    /// (a response header or XML element); false for non-ASCII text.</summary>
    public static bool TryParse(ReadOnlySpan<char> etag, Span<byte> md5, out int partCount)
    {
        partCount = 0;
        // Longer than any well-formed tag (weak, quoted, multipart) cannot parse; the bound keeps the copy on the stack.
        Span<byte> ascii = stackalloc byte[MaxLength + 2];
        return etag.Length <= ascii.Length && Ascii.FromUtf16(etag, ascii, out int written) == OperationStatus.Done
            && TryParse(ascii[..written], md5, out partCount);
    }

    /// <summary><see cref="Unquote(ReadOnlySpan{byte})"/> for text.</summary>
    public static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> etag)
    {
        ReadOnlySpan<char> tag = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        return tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"' ? tag[1..^1] : tag;
    }

    /// <summary>The ETag as S3 sends it, in quotes. A tag already quoted or weak is returned as it is; S3-compatible
    /// servers that leave the quotes out (RADOS Gateway in copy results) get them added.</summary>
    public static string Quote(string etag)
    {
        ArgumentNullException.ThrowIfNull(etag);
        return etag.Length == 0 || etag[0] == '"' || etag.StartsWith("W/", StringComparison.Ordinal) ? etag : "\"" + etag + "\"";
    }

    /// <summary>True when <paramref name="etag"/> carries the weak indicator W/.</summary>
    public static bool IsWeak(ReadOnlySpan<byte> etag) => etag.StartsWith("W/"u8);

    /// <summary>RFC 9110 §8.8.3.2 comparison of a tag from a request with the stored (strong) tag.
    /// Strong comparison fails for a weak request tag; weak comparison ignores W/. Hex case is ignored, since clients
    /// echo S3's lowercase tags in either case.</summary>
    public static bool Matches(ReadOnlySpan<byte> requestTag, ReadOnlySpan<byte> storedTag, bool weakComparison)
    {
        if (!weakComparison && IsWeak(requestTag))
        {
            return false;
        }

        return Ascii.EqualsIgnoreCase(Unquote(requestTag), Unquote(storedTag));
    }
}
