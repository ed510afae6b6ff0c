using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Cli.Bench;

/// <summary>
/// Object names for a run, by S3's partition behaviour: sequential names share one hot key range; random, hashed
/// (a 4-hex-digit hash prefix) and reversed (the id's digits reversed) spread requests over the key space.
/// </summary>
public static class BenchKeys
{
    /// <summary>The supported schemes.</summary>
    public static readonly IReadOnlyList<string> Schemes = ["sequential", "random", "hashed", "reversed"];

    /// <summary>The key of object <paramref name="id"/> under <paramref name="prefix"/>.</summary>
    public static string For(string scheme, string prefix, long id)
    {
        string digits = id.ToString("D10", CultureInfo.InvariantCulture);
        return scheme switch
        {
            "sequential" => $"{prefix}obj-{digits}",
            "random" => $"{prefix}{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(digits)).AsSpan(0, 8))}",
            "hashed" => $"{prefix}{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(digits)).AsSpan(0, 2))}/obj-{digits}",
            "reversed" => $"{prefix}obj-{new string(digits.Reverse().ToArray())}",
            _ => throw new ArgumentException($"unknown key scheme '{scheme}'", nameof(scheme)),
        };
    }
}
