using System.Buffers;
using System.Security.Cryptography;
using Sluice.S3.Checksums;
using Sluice.Server.Storage;

namespace Sluice.Server.Service.Encryption;

/// <summary>
/// Encrypts one plaintext stream into a store writer as an <see cref="EncryptedLayout"/> stream (a fresh salt, then
/// sealed chunks), hashing the plaintext on the way: MD5 (Content-MD5, the SSE-S3 ETag) and the S3 checksums asked for.
/// A full chunk is sealed only when more plaintext follows, so the last chunk is always sealed as the last.
/// </summary>
internal sealed class SseEncryptor : IDisposable
{
    /// <summary>Sealed chunks are gathered into writes of about this size.</summary>
    private const int OutputBytes = 256 * 1024;

    private readonly AesGcm _cipher;
    private readonly int _chunkSize;
    private readonly byte[] _plain;
    private readonly byte[] _output;
    private readonly Md5Digest _md5 = new();
    private readonly S3Checksum? _checksum;
    private readonly S3Checksum? _extra;
    private int _plainFill;
    private int _outputFill;
    private long _chunkIndex;
    private bool _finished;

    public SseEncryptor(ReadOnlySpan<byte> dataKey, int chunkSize, ChecksumAlgorithm checksum, ChecksumAlgorithm extra = ChecksumAlgorithm.None)
    {
        _chunkSize = chunkSize;
        Span<byte> salt = stackalloc byte[EncryptedLayout.SaltSize];
        RandomNumberGenerator.Fill(salt);
        _cipher = SseStreams.StreamCipher(dataKey, salt);
        _plain = ArrayPool<byte>.Shared.Rent(chunkSize);
        _output = ArrayPool<byte>.Shared.Rent(Math.Max(OutputBytes, chunkSize + EncryptedLayout.TagSize + EncryptedLayout.HeaderSize));
        EncryptedLayout.Magic.CopyTo(_output);
        salt.CopyTo(_output.AsSpan(EncryptedLayout.Magic.Length));
        _outputFill = EncryptedLayout.HeaderSize;
        if (checksum != ChecksumAlgorithm.None) _checksum = new S3Checksum(checksum);
        if (extra != ChecksumAlgorithm.None && extra != checksum) _extra = new S3Checksum(extra);
    }

    /// <summary>Plaintext bytes taken so far.</summary>
    public long PlainLength { get; private set; }

    /// <summary>Ciphertext bytes produced (header, chunks and tags), once finished.</summary>
    public long StoredLength { get; private set; }

    /// <summary>Reads a whole request body and encrypts it into <paramref name="target"/>.</summary>
    public async ValueTask EncryptAsync(IBodySource body, IBodyWriter target)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(OutputBytes);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0) await WriteAsync(buffer.AsMemory(0, n), target);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await FinishAsync(target);
    }

    /// <summary>Encrypts <paramref name="plain"/> (written to <paramref name="target"/> as output fills).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> plain, IBodyWriter target)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _md5.Append(plain.Span);
        _checksum?.Append(plain.Span);
        _extra?.Append(plain.Span);
        PlainLength += plain.Length;
        while (!plain.IsEmpty)
        {
            if (_plainFill == _chunkSize)
            {
                // More plaintext follows, so the full chunk is not the last one.
                if (_outputFill + _chunkSize + EncryptedLayout.TagSize > _output.Length) await FlushAsync(target);
                Seal(last: false);
            }
            int n = Math.Min(_chunkSize - _plainFill, plain.Length);
            plain.Span[..n].CopyTo(_plain.AsSpan(_plainFill));
            _plainFill += n;
            plain = plain[n..];
        }
    }

    /// <summary>Seals the last chunk and writes what is left.</summary>
    public async ValueTask FinishAsync(IBodyWriter target)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_outputFill + _plainFill + EncryptedLayout.TagSize > _output.Length) await FlushAsync(target);
        Seal(last: true);
        await FlushAsync(target);
        _finished = true;
    }

    private void Seal(bool last)
    {
        Span<byte> nonce = stackalloc byte[12];
        SseStreams.Nonce(_chunkIndex++, last, nonce);
        var destination = _output.AsSpan(_outputFill, _plainFill);
        var tag = _output.AsSpan(_outputFill + _plainFill, EncryptedLayout.TagSize);
        _cipher.Encrypt(nonce, _plain.AsSpan(0, _plainFill), destination, tag);
        _outputFill += _plainFill + EncryptedLayout.TagSize;
        _plainFill = 0;
    }

    private async ValueTask FlushAsync(IBodyWriter target)
    {
        if (_outputFill == 0) return;
        await target.WriteAsync(_output.AsMemory(0, _outputFill));
        StoredLength += _outputFill;
        _outputFill = 0;
    }

    /// <summary>The plaintext's MD5 (16 bytes).</summary>
    public byte[] PlainMd5()
    {
        var md5 = new byte[Md5Digest.HashSizeInBytes];
        _md5.GetCurrentHash(md5);
        return md5;
    }

    /// <summary>The plaintext's checksum in base64 (the first algorithm; null without one).</summary>
    public string? Checksum => Format(_checksum);

    /// <summary>The plaintext's checksum in the extra algorithm (null without one).</summary>
    public string? ExtraChecksum => Format(_extra);

    private static string? Format(S3Checksum? checksum)
    {
        if (checksum == null) return null;
        Span<char> text = stackalloc char[ChecksumAlgorithmExtensions.MaxBase64Length];
        checksum.TryFormatBase64(text, out int n);
        return new string(text[..n]);
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _md5.Dispose();
        _checksum?.Dispose();
        _extra?.Dispose();
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_output);
    }
}
