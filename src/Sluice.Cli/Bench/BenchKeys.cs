using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.S3.Naming;

namespace Sluice.Cli.Bench;

/// <summary>
/// Object names for a run, by S3's partition behaviour: sequential names share one hot key range; random, hashed
/// (<see cref="KeyNaming"/>'s MD5 hash prefix, 4 hex characters or N with hashed:N) and reversed (the id's 10 digits
/// reversed, <see cref="KeyNaming.ReverseId"/>) spread requests over the key space.
/// </summary>
public static class BenchKeys
{
    /// <summary>The supported schemes (hashed also as hashed:N, N hex characters of hash prefix).</summary>
    public static readonly IReadOnlyList<string> Schemes = ["sequential", "random", "hashed", "reversed"];

    /// <summary>Hex characters of a plain "hashed" prefix: 65,536 prefixes, as many as a bench run has objects.</summary>
    public const int DefaultHashLength = 4;

    /// <summary>Digits of an id in a key (zero-padded, so sequential names sort by id).</summary>
    private const int IdWidth = 10;

    /// <summary>True for a scheme <see cref="For"/> accepts; <paramref name="error"/> says why not.</summary>
    public static bool IsValid(string scheme, out string? error)
    {
        error = null;
        if (Schemes.Contains(scheme))
        {
            return true;
        }

        if (TryHashLength(scheme, out _))
        {
            return true;
        }

        error = scheme.StartsWith("hashed:", StringComparison.Ordinal)
            ? $"--keys: '{scheme}': hashed:N takes N from 1 to {KeyNaming.MaxHexLength} hex characters"
            : $"--keys: '{scheme}' is not sequential, random, hashed[:N] or reversed";
        return false;
    }

    /// <summary>The key of object <paramref name="id"/> under <paramref name="prefix"/>.</summary>
    public static string For(string scheme, string prefix, long id)
    {
        string digits = id.ToString("D10", CultureInfo.InvariantCulture);
        return scheme switch
        {
            "sequential" => $"{prefix}obj-{digits}",
            "random" => $"{prefix}{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(digits)).AsSpan(0, 8))}",
            "hashed" => prefix + KeyNaming.AddHashPrefix($"obj-{digits}", DefaultHashLength),
            "reversed" => $"{prefix}obj-{KeyNaming.ReverseId((ulong)id, IdWidth)}",
            _ when TryHashLength(scheme, out int length) => prefix + KeyNaming.AddHashPrefix($"obj-{digits}", length),
            _ => throw new ArgumentException($"unknown key scheme '{scheme}'", nameof(scheme)),
        };
    }

    private static bool TryHashLength(string scheme, out int length)
    {
        length = 0;
        return scheme.StartsWith("hashed:", StringComparison.Ordinal)
            && int.TryParse(scheme.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out length)
            && length is >= 1 and <= KeyNaming.MaxHexLength;
    }
}
