using System.Runtime.CompilerServices;
using Sluice.IO.Buffers;

namespace Sluice.IO.Files;

/// <summary>
/// File ↔ socket through one pooled native buffer: the managed engine's splice, and io_uring's where the ring
/// lacks IORING_OP_SPLICE. The payload crosses user space once, in native memory (fixed-buffer file I/O with
/// io_uring), never in a managed array.
/// </summary>
internal static class BufferedTransfer
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask SendFileAsync(NativeBufferPool pool, ReadOnlyMemory<byte> head, IoFile file,
        long offset, long count, Connection connection, CancellationToken cancellationToken)
    {
        var buffer = await pool.RentAsync(ChunkSize(pool, count), cancellationToken);
        await SendFileAsync(buffer, head, file, offset, count, connection, cancellationToken);
    }

    /// <summary>The same through a buffer the caller rented; it goes back to its pool when the transfer ends.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask SendFileAsync(NativeBuffer buffer, ReadOnlyMemory<byte> head, IoFile file,
        long offset, long count, Connection connection, CancellationToken cancellationToken)
    {
        long total = count;
        try
        {
            while (count > 0)
            {
                int n = await file.ReadAsync(buffer, (int)Math.Min(count, buffer.Length), offset, cancellationToken);
                if (n == 0)
                    throw new IoException("read", 0, $"sendfile {file.Path}: the file ends before offset {offset}; " +
                        $"{count} of {total} bytes were still to send");
                if (head.IsEmpty) await connection.SendAsync(buffer.Memory[..n], cancellationToken);
                else await connection.SendAsync(head, buffer.Memory[..n], cancellationToken); // one gathered write
                head = default;
                offset += n;
                count -= n;
            }
        }
        finally
        {
            buffer.Return();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask ReceiveToFileAsync(NativeBufferPool pool, Connection connection, IoFile file,
        long offset, long count, CancellationToken cancellationToken)
    {
        long total = count;
        var buffer = await pool.RentAsync(ChunkSize(pool, count), cancellationToken);
        try
        {
            while (count > 0)
            {
                int n = await connection.ReceiveAsync(buffer.Memory[..(int)Math.Min(count, buffer.Length)], cancellationToken);
                if (n == 0)
                    throw new IoException("recv", 0, $"receive to {file.Path}: the connection closed after " +
                        $"{total - count} of {total} bytes (end of stream mid-transfer)");
                await file.WriteAsync(buffer, n, offset, cancellationToken);
                offset += n;
                count -= n;
            }
        }
        finally
        {
            buffer.Return();
        }
    }

    /// <summary>The whole transfer when it fits, else the pool's largest buffer: fewest system calls per byte.</summary>
    internal static int ChunkSize(NativeBufferPool pool, long count) =>
        (int)Math.Min(count, pool.ClassSize(pool.ClassCount - 1));
}
