using System.Text;

namespace Sluice.Server.Index;

/// <summary>
/// Keys of a bucket's version index: the object key, a 0x00 separator, then the version id (whose bytes sort newest
/// first, <see cref="Storage.VersionIds"/>). Keys may hold NUL bytes, which would let one key's versions interleave
/// with another's ("a" + 0x00 + id against "a\0b..."), so the key is escaped first: 0x00 becomes 0x01 0x01 and
/// 0x01 becomes 0x01 0x02. Every escaped byte is above the separator and the escape keeps byte order, so all
/// versions of a key are adjacent, keys stay in S3's listing order, and a key's versions come newest first.
/// </summary>
public static class VersionKeys
{
    /// <summary>The escaped key and the separator: every version key of <paramref name="key"/> starts with it.</summary>
    public static byte[] PrefixOf(string key)
    {
        byte[] raw = Encoding.UTF8.GetBytes(key);
        int extra = 0;
        foreach (byte b in raw) if (b <= 1) extra++;
        var prefix = new byte[raw.Length + extra + 1];
        int n = 0;
        foreach (byte b in raw)
        {
            if (b <= 1)
            {
                prefix[n++] = 1;
                prefix[n++] = (byte)(b + 1);
            }
            else
            {
                prefix[n++] = b;
            }
        }
        prefix[n] = 0;
        return prefix;
    }

    /// <summary>The version index key of <paramref name="key"/>'s version <paramref name="versionId"/>.</summary>
    public static byte[] Of(string key, string versionId)
    {
        byte[] prefix = PrefixOf(key);
        var composite = new byte[prefix.Length + versionId.Length];
        prefix.CopyTo(composite, 0);
        Encoding.ASCII.GetBytes(versionId, composite.AsSpan(prefix.Length));
        return composite;
    }

    /// <summary>The object key a version index key belongs to (the part before the separator, unescaped).</summary>
    public static string KeyOf(ReadOnlySpan<byte> composite)
    {
        int end = composite.IndexOf((byte)0);
        if (end < 0) end = composite.Length;
        var raw = new byte[end];
        int n = 0;
        for (int i = 0; i < end; i++)
        {
            byte b = composite[i];
            raw[n++] = b == 1 && i + 1 < end ? (byte)(composite[++i] - 1) : b;
        }
        return Encoding.UTF8.GetString(raw, 0, n);
    }

    /// <summary>The escaped key part of a version index key (what listings compare, in S3's order).</summary>
    public static ReadOnlySpan<byte> EscapedKeyOf(ReadOnlySpan<byte> composite)
    {
        int end = composite.IndexOf((byte)0);
        return end < 0 ? composite : composite[..end];
    }
}
