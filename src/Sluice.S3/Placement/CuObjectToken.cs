namespace Sluice.S3.Placement;

/// <summary>
/// The cuObject RDMA descriptor as it travels in <c>x-amz-rdma-token</c>: colon-separated hex fields, the first the
/// client buffer's address and the second the transfer size (the fields after them — memory key, connection
/// addressing — belong to the verbs transport and are kept verbatim for it). No provider here moves bytes for this
/// format: this machine has no RDMA, so a server recognises the format and declines it, and a verbs provider added
/// later reads the same parsed fields.
/// </summary>
public readonly struct CuObjectToken
{
    private CuObjectToken(ulong address, ulong size, int fieldCount)
    {
        Address = address;
        Size = size;
        FieldCount = fieldCount;
    }

    /// <summary>The client buffer's virtual address (field 0).</summary>
    public ulong Address { get; }

    /// <summary>The transfer size in bytes (field 1).</summary>
    public ulong Size { get; }

    /// <summary>How many fields the descriptor has (at least 2).</summary>
    public int FieldCount { get; }

    /// <summary>Parses a descriptor: at least two fields, each 1–16 lowercase hex digits, separated by ':'.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out CuObjectToken token)
    {
        token = default;
        if (text.IsEmpty || text.Length > PlacementHeaders.MaxTokenLength) return false;
        ulong address = 0, size = 0;
        int fields = 0;
        foreach (var range in text.Split((byte)':'))
        {
            if (!ShmToken.TryHex64(text[range], out ulong value)) return false;
            if (fields == 0) address = value;
            else if (fields == 1) size = value;
            fields++;
        }
        if (fields < 2) return false;
        token = new CuObjectToken(address, size, fields);
        return true;
    }
}
