using System.Text;
using Sluice.S3.Checksums;

namespace Sluice.S3.Objects;

/// <summary>
/// Builds a multipart object's ETag: MD5 over the parts' binary MD5s in part order, then "-" and the part count
/// (see <see cref="ETag"/>). Reusable: <see cref="Format"/> resets it.
/// </summary>
public sealed class MultipartETag : IDisposable
{
    private readonly Md5Digest _digest = new();

    /// <summary>Parts added since the last reset.</summary>
    public int PartCount { get; private set; }

    /// <summary>Adds the next part's 16-byte MD5.</summary>
    public void AddPart(ReadOnlySpan<byte> partMd5)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(partMd5.Length, Md5Digest.HashSizeInBytes, nameof(partMd5));
        _digest.Append(partMd5);
        PartCount++;
    }

    /// <summary>Adds the next part by its ETag as the client listed it; false when it is not a single-part ETag.</summary>
    public bool TryAddPart(ReadOnlySpan<byte> partETag)
    {
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        return AddIfSinglePart(ETag.TryParse(partETag, md5, out int count), md5, count);
    }

    /// <summary><see cref="TryAddPart(ReadOnlySpan{byte})"/> for a part ETag a client holds as text.</summary>
    public bool TryAddPart(ReadOnlySpan<char> partETag)
    {
        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        return AddIfSinglePart(ETag.TryParse(partETag, md5, out int count), md5, count);
    }

    /// <summary>The ETag without quotes (lower-case hex, "-", the part count), as clients compare it, and starts
    /// over.</summary>
    public string FormatUnquoted()
    {
        Span<byte> etag = stackalloc byte[ETag.MaxLength];
        int n = Format(etag);
        return Encoding.ASCII.GetString(etag[1..(n - 1)]);
    }

    /// <summary>Writes the quoted ETag (at most <see cref="ETag.MaxLength"/> bytes) and starts over.</summary>
    public int Format(Span<byte> destination)
    {
        if (PartCount == 0)
        {
            throw new InvalidOperationException("A multipart ETag needs at least one part.");
        }

        Span<byte> md5 = stackalloc byte[Md5Digest.HashSizeInBytes];
        _digest.GetHashAndReset(md5);
        int n = ETag.FormatMultipart(md5, PartCount, destination);
        PartCount = 0;
        return n;
    }

    /// <summary>Forgets the parts added so far.</summary>
    public void Reset()
    {
        _digest.Reset();
        PartCount = 0;
    }

    /// <inheritdoc />
    public void Dispose() => _digest.Dispose();

    // A multipart ETag is built from single-part ETags only: a part cannot itself be multipart.
    private bool AddIfSinglePart(bool parsed, ReadOnlySpan<byte> md5, int partCount)
    {
        if (!parsed || partCount != 0)
        {
            return false;
        }

        AddPart(md5);
        return true;
    }
}
