using System.Buffers;
using System.Security.Cryptography;
using Sluice.Client.Transport;
using Sluice.S3.Auth;
using Sluice.S3.Checksums;

namespace Sluice.Client;

// Object uploads (PutObject, UploadPart) in the payload mode of S3ClientOptions.PayloadSigning.
public sealed partial class S3Client
{
    /// <summary>The checksum a trailer carries in <paramref name="mode"/> (None: no trailer): the request's, else the client's default.</summary>
    private ChecksumAlgorithm TrailerAlgorithm(PayloadSigning? mode, ChecksumAlgorithm requested) =>
        mode is PayloadSigning.StreamingSignedTrailer or PayloadSigning.StreamingUnsignedTrailer
            ? requested != ChecksumAlgorithm.None ? requested : _transport.Options.TrailerChecksum
            : ChecksumAlgorithm.None;

    /// <summary>
    /// Puts an upload's body (memory, or <paramref name="stream"/>) on <paramref name="call"/> in the client's payload
    /// mode: as it is (UNSIGNED-PAYLOAD or the body's SHA-256), or wrapped in aws-chunked framing (returned, for the
    /// caller to dispose after the call) with <c>Content-Encoding</c>, <c>x-amz-decoded-content-length</c> and
    /// <c>x-amz-trailer</c> added to its headers.
    /// </summary>
    private static async ValueTask<(S3Call Call, AwsChunkedContent? Chunked)> WithUploadBodyAsync(S3Call call, PayloadSigning? mode,
        ChecksumAlgorithm trailer, string? trailerValue, ReadOnlyMemory<byte> memory, Stream? stream, long length,
        CancellationToken cancellationToken)
    {
        switch (mode)
        {
            case null:
                break;
            case PayloadSigning.UnsignedPayload:
                call.PayloadHash = length == 0 ? SigV4PayloadHash.EmptySha256 : SigV4PayloadHash.UnsignedPayload;
                break;
            case PayloadSigning.SignedBody:
                call.PayloadHash = stream is null ? SigV4PayloadHash.Sha256Hex(memory.Span)
                    : await Sha256HexAsync(stream, length, cancellationToken).ConfigureAwait(false);
                break;
            default:
                var chunked = new AwsChunkedContent(mode.Value, memory, stream, length, trailer, trailerValue);
                List<KeyValuePair<string, string>> headers = call.Headers ?? [];
                int encoding = headers.FindIndex(static h => h.Key.Equals("content-encoding", StringComparison.OrdinalIgnoreCase));
                // aws-chunked is the transfer's coding and goes first; S3 drops it and keeps the object's own.
                if (encoding >= 0)
                {
                    headers[encoding] = new("content-encoding", "aws-chunked," + headers[encoding].Value);
                }
                else
                {
                    headers.Add(new("content-encoding", "aws-chunked"));
                }

                headers.Add(new("x-amz-decoded-content-length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (chunked.TrailerName is { } name)
                {
                    headers.Add(new("x-amz-trailer", name));
                }

                call.Headers = headers;
                call.Chunked = chunked;
                call.Body = default;
                call.BodyStream = chunked;
                call.BodyLength = chunked.Length;
                return (call, chunked);
        }

        call.Body = memory;
        call.BodyStream = stream;
        call.BodyLength = length;
        return (call, null);
    }

    /// <summary>The hex SHA-256 of a seekable stream's next <paramref name="length"/> bytes, which are read and rewound.</summary>
    private static async Task<string> Sha256HexAsync(Stream body, long length, CancellationToken cancellationToken)
    {
        if (!body.CanSeek)
        {
            throw new ArgumentException("PayloadSigning.SignedBody needs a seekable stream (it is hashed before it is sent); " +
                "a streaming mode signs a non-seekable one.");
        }

        long start = body.Position;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long left = length;
            while (left > 0)
            {
                int n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ArgumentException($"The body stream ended {left} bytes before the declared length of {length}.");
                }

                sha.AppendData(buffer, 0, n);
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        body.Position = start;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
