using Sluice.S3.Auth;
using Sluice.S3.Http;

namespace Sluice.Server.Auth;

/// <summary>The parsed request's headers as SigV4 sees them: raw name and value bytes from the receive buffer.</summary>
public readonly ref struct RequestHeaders : ISigV4Headers
{
    private readonly HttpHeaderTable _table;
    private readonly ReadOnlySpan<byte> _buffer;

    public RequestHeaders(HttpHeaderTable table, ReadOnlySpan<byte> buffer)
    {
        _table = table;
        _buffer = buffer;
    }

    public int Count => _table.Count;
    public ReadOnlySpan<byte> GetName(int index) => _table[index].Name.Of(_buffer);
    public ReadOnlySpan<byte> GetValue(int index) => _table[index].Value.Of(_buffer);
}
