using System.Security.Cryptography;

namespace Sluice.Server.Storage;

/// <summary>
/// Version ids: 32 URL-safe characters, opaque to clients. The first 13 are the version's sequence number inverted
/// (<c>ulong.MaxValue - sequence</c>) in a base-32 alphabet whose byte order is its value order, so ids of one key
/// compare newest first as plain bytes — the version index needs no other ordering field and a listing of a key's
/// versions is one seek. The other 19 are random, so ids are not guessable and two servers never collide. Sequences
/// are microseconds since the Unix epoch, raised to stay strictly increasing in the process and above the key's
/// newest version (a clock that went back across a restart still orders a key's versions by write).
/// </summary>
public static class VersionIds
{
    /// <summary>The length of every id this server issues.</summary>
    public const int Length = 32;

    /// <summary>The id S3 reports for a key's null version (written while versioning was off or suspended).</summary>
    public const string Null = "null";

    private const int SequenceChars = 13;

    // Ordered: '0' < '9' < 'A' < 'V' as bytes, so the encoding sorts as the number does.
    private const string SequenceAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

    private const string RandomAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static long s_last;

    /// <summary>A new id whose sequence is above every one issued in this process and at least <paramref name="atLeast"/>.</summary>
    public static string New(long atLeast = 0)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        long sequence;
        while (true)
        {
            long last = Volatile.Read(ref s_last);
            sequence = Math.Max(Math.Max(now, last + 1), atLeast);
            if (Interlocked.CompareExchange(ref s_last, sequence, last) == last) break;
        }
        return Format(sequence);
    }

    /// <summary>
    /// Makes every id issued from now on sort newer than <paramref name="id"/> (an id already stored, seen at start). A
    /// disk store's versions outlive the process, and the clock may be behind where it was when they were written (a
    /// restart before the clock is corrected): without this, a new PUT could get an id older than the key's current
    /// version, enter the history below it, and a GET would keep answering the old bytes.
    /// </summary>
    public static void Observe(string? id)
    {
        long sequence = SequenceOf(id);
        while (true)
        {
            long last = Volatile.Read(ref s_last);
            if (sequence <= last || Interlocked.CompareExchange(ref s_last, sequence, last) == last) return;
        }
    }

    /// <summary>An id for a version written at <paramref name="lastModified"/> before the bucket was versioned
    /// (its null version, given a place in the key's history when a newer version pushes it down).</summary>
    public static string ForOlderVersion(DateTimeOffset lastModified) => Format(SequenceAt(lastModified));

    /// <summary>The sequence <see cref="ForOlderVersion"/> gives a version written at <paramref name="lastModified"/>
    /// (a new version of its key must be above it).</summary>
    public static long SequenceAt(DateTimeOffset lastModified) => Math.Max(1, lastModified.ToUnixTimeMilliseconds() * 1000);

    private static string Format(long sequence) => string.Create(Length, sequence, static (chars, sequence) =>
    {
        ulong inverted = ulong.MaxValue - (ulong)sequence;
        for (int i = SequenceChars - 1; i >= 0; i--)
        {
            chars[i] = SequenceAlphabet[(int)(inverted & 31)];
            inverted >>= 5;
        }
        Span<byte> random = stackalloc byte[Length - SequenceChars];
        RandomNumberGenerator.Fill(random);
        for (int i = 0; i < random.Length; i++) chars[SequenceChars + i] = RandomAlphabet[random[i] % RandomAlphabet.Length];
    });

    /// <summary>The sequence an id carries; 0 for anything not issued here.</summary>
    public static long SequenceOf(string? id)
    {
        if (id == null || !IsWellFormed(id)) return 0;
        ulong inverted = 0;
        for (int i = 0; i < SequenceChars; i++) inverted = (inverted << 5) | (uint)SequenceAlphabet.IndexOf(id[i], StringComparison.Ordinal);
        return (long)(ulong.MaxValue - inverted);
    }

    /// <summary>True for an id this server could have issued (the shape; whether the version exists is another matter).</summary>
    public static bool IsWellFormed(string id)
    {
        if (id is not { Length: Length }) return false;
        // 13 characters of 5 bits hold 65: the first carries only the top 4 (0-F).
        if (id[0] is not ((>= '0' and <= '9') or (>= 'A' and <= 'F'))) return false;
        for (int i = 0; i < Length; i++)
        {
            char ch = id[i];
            bool ok = i < SequenceChars ? ch is (>= '0' and <= '9') or (>= 'A' and <= 'V') : char.IsAsciiLetterOrDigit(ch);
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>A versionId a request may name: <c>null</c> or a well-formed id.</summary>
    public static bool IsValidRequestId(string id) => id == Null || IsWellFormed(id);
}
