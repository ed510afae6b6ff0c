using System.Buffers;
using Sluice.S3.Checksums;

namespace Sluice.Cli.Commands;

/// <summary>
/// Content identities of a local file, in the forms S3 reports them: the MD5 as lower-case hex (a single-PUT ETag)
/// and the CRC64NVME as base64 (a FULL_OBJECT checksum). Read sequentially through one pooled buffer.
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

    public static async Task<string> Crc64NvmeBase64Async(string path, CancellationToken cancellationToken)
    {
        using var crc = new S3Checksum(ChecksumAlgorithm.Crc64Nvme);
        await ReadAsync(path, (buffer, count) => crc.Append(buffer.AsSpan(0, count)), cancellationToken);
        var text = new char[crc.Base64Length];
        crc.TryFormatBase64(text, out int written);
        return new string(text, 0, written);
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
