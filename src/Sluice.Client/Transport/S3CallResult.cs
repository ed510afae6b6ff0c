using System.Buffers;
using Sluice.Client.Model;

namespace Sluice.Client.Transport;

/// <summary>What a call returns: status, metadata when asked, the body length delivered, a collected body.</summary>
internal readonly struct S3CallResult
{
    public S3CallResult(int status, ObjectMetadata? metadata, long delivered, byte[]? body, int bodyLength, string? requestId)
    {
        Status = status;
        Metadata = metadata;
        Delivered = delivered;
        Body = body;
        BodyLength = bodyLength;
        RequestId = requestId;
    }

    public int Status { get; }

    public ObjectMetadata? Metadata { get; }

    public long Delivered { get; }

    /// <summary>A pooled array (for <see cref="SinkKind.Buffer"/>); give it back with <see cref="ReturnBody"/>.</summary>
    public byte[]? Body { get; }

    public int BodyLength { get; }

    public string? RequestId { get; }

    public ReadOnlyMemory<byte> BodyMemory => Body is null ? ReadOnlyMemory<byte>.Empty : Body.AsMemory(0, BodyLength);

    public void ReturnBody()
    {
        if (Body is not null)
        {
            ArrayPool<byte>.Shared.Return(Body);
        }
    }
}
