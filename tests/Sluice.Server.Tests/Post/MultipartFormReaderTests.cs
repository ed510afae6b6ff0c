using System.Text;
using Sluice.IO;
using Sluice.Server.Handlers;
using Sluice.Server.Post;
using Sluice.Server.Service;

namespace Sluice.Server.Tests.Post;

/// <summary>
/// The form reader fed a few bytes per read (1 to 7, and 1 byte at a time), so every delimiter, header block and field
/// is split across reads at every offset: the parts come out exactly as written.
/// </summary>
public class MultipartFormReaderTests
{
    /// <summary>A body source that returns at most <c>chunk</c> bytes per read, cycling through the given sizes.</summary>
    private sealed class DribbleSource(byte[] data, int[] chunks) : IBodySource
    {
        private int _offset, _turn;

        public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            int n = Math.Min(Math.Min(chunks[_turn++ % chunks.Length], destination.Length), data.Length - _offset);
            data.AsSpan(_offset, n).CopyTo(destination.Span);
            _offset += n;
            return ValueTask.FromResult(n);
        }

        public OwnerAwaitable ResumeOnOwner() => throw new NotSupportedException();
    }

    private const string Boundary = "AaB03x";

    private static byte[] Body(byte[] file) => [
        .. "preamble to ignore\r\n--AaB03x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/a;b\r\n"u8,
        .. "--AaB03x\r\ncontent-disposition: form-data; name=\"x-amz-meta-quoted\"\r\n\r\n--AaB03\r\n"u8,
        .. "--AaB03x  \r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\dir\\\\a \\\"b\\\".txt\"\r\nContent-Type: text/plain\r\n\r\n"u8,
        .. file,
        .. "\r\n--AaB03x--\r\nepilogue"u8,
    ];

    public static TheoryData<int[]> Chunkings => new() { new[] { 1 }, new[] { 1, 2, 3, 5, 7 }, new[] { 4096 }, new[] { 70_000 } };

    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task Parts_come_out_exactly_as_written_however_the_body_is_split(int[] chunks)
    {
        // The file holds everything short of its delimiter: CRLF, "--", the boundary less a byte, a boundary without CRLF.
        byte[] file = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\r\n--AaB03\r\n-AaB03x--\r\r\n-", 5000)) + "\r\n--AaB03");
        using var reader = new MultipartFormReader(new DribbleSource(Body(file), chunks), Boundary);
        var key = await reader.NextPartAsync();
        Assert.Equal(new FormPart("key", null, null), key);
        Assert.Equal("uploads/a;b", await reader.ReadFieldAsync(100, () => throw new InvalidOperationException()));
        var quoted = await reader.NextPartAsync();
        Assert.Equal("x-amz-meta-quoted", quoted!.Name);
        Assert.Equal("--AaB03", await reader.ReadFieldAsync(100, () => throw new InvalidOperationException()));
        var part = await reader.NextPartAsync();
        Assert.Equal(new FormPart("file", "C:\\dir\\a \"b\".txt", "text/plain"), part);
        var received = new MemoryStream();
        var buffer = new byte[3000];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0) received.Write(buffer, 0, n);
        Assert.Equal(file, received.ToArray());
        Assert.Equal(file.Length, reader.PartLength);
        Assert.Null(await reader.NextPartAsync());
    }

    [Theory]
    [InlineData("--AaB03x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nvalue-without-end")]
    [InlineData("--AaB03x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--AaB03x--")]
    [InlineData("--AaB03x\r\n\r\nno headers\r\n--AaB03x--")]
    [InlineData("no delimiter at all")]
    public async Task Malformed_bodies_are_malformed_post_requests(string body)
    {
        using var reader = new MultipartFormReader(new DribbleSource(Encoding.ASCII.GetBytes(body), [3]), Boundary);
        var e = await Assert.ThrowsAsync<S3RequestException>(async () =>
        {
            while (await reader.NextPartAsync() is not null) await reader.ReadFieldAsync(1000, () => throw new InvalidOperationException());
        });
        Assert.Equal("MalformedPOSTRequest", e.Error.Code);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=AaB03x", "AaB03x")]
    [InlineData("Multipart/Form-Data;Boundary=\"a b:c\"", "a b:c")]
    [InlineData("multipart/mixed; boundary=x", null)]
    [InlineData("multipart/form-data", null)]
    [InlineData("application/x-www-form-urlencoded", null)]
    public void The_boundary_comes_from_the_content_type(string contentType, string? boundary) =>
        Assert.Equal(boundary, MultipartFormReader.BoundaryOf(contentType));
}
