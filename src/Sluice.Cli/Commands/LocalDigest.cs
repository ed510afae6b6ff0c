using System.Buffers;
using Sluice.S3.Checksums;
using Sluice.S3.Objects;

namespace Sluice.Cli.Commands;

/// <summary>
/// Content identities of a local file, in the forms S3 reports them: the MD5 as lower-case hex (a single-PUT ETag)
/// and full-object checksums as base64 (CRC64NVME, ...), and the multipart ETag for given part sizes. Read sequentially
/// through one pooled buffer.
/// </summary>
internal static class LocalDigest
{
    private const int ReadBufferSize = 1 << 20;

    public static async Task<string> Md5HexAsync(string path, CancellationToken cancellationToken)
    {
        using var md5 = new Md5Digest();
        await ReadAsync(path, (buffer, count) => md5.Append(buffer.AsSpan(0, count)), cancellationToken);
        var hash = new byte[Md5Digest.HashSizeInBytes];
        md5.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash);
    }

    public static Task<string> Crc64NvmeBase64Async(string path, CancellationToken cancellationToken) =>
        ChecksumBase64Async(path, ChecksumAlgorithm.Crc64Nvme, cancellationToken);

    /// <summary>The file's full-object checksum in <paramref name="algorithm"/>, base64 as S3 shows it.</summary>
    public static async Task<string> ChecksumBase64Async(string path, ChecksumAlgorithm algorithm, CancellationToken cancellationToken)
    {
        using var crc = new S3Checksum(algorithm);
        await ReadAsync(path, (buffer, count) => crc.Append(buffer.AsSpan(0, count)), cancellationToken);
        var text = new char[crc.Base64Length];
        crc.TryFormatBase64(text, out int written);
        return new string(text, 0, written);
    }

    /// <summary>
    /// The multipart ETag the file would have if uploaded in parts of <paramref name="partSizes"/> (in order; they sum
    /// to the file's size): the MD5 of the parts' MD5s, "-" and the count, lower case without quotes. Bytes beyond the
    /// last part make it end in a part of its own, so a longer file never matches.
    /// </summary>
    public static async Task<string> MultipartETagAsync(string path, IReadOnlyList<long> partSizes, CancellationToken cancellationToken)
    {
        using var md5 = new Md5Digest();
        using var etag = new MultipartETag();
        int part = 0;
        long inPart = 0;
        void EndPart()
        {
            Span<byte> hash = stackalloc byte[Md5Digest.HashSizeInBytes];
            md5.GetHashAndReset(hash);
            etag.AddPart(hash);
            part++;
            inPart = 0;
        }
        await ReadAsync(path, (buffer, count) =>
        {
            var data = buffer.AsSpan(0, count);
            while (!data.IsEmpty)
            {
                long size = part < partSizes.Count ? partSizes[part] : long.MaxValue;
                int take = (int)Math.Min(data.Length, size - inPart);
                md5.Append(data[..take]);
                inPart += take;
                data = data[take..];
                if (inPart == size) EndPart();
            }
        }, cancellationToken);
        if (inPart > 0 || part == 0) EndPart();
        return etag.FormatUnquoted();
    }

    private static async Task ReadAsync(string path, Action<byte[], int> append, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken)) > 0) append(buffer, read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
