using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

internal static class StorageAssert
{
    /// <summary>Runs <paramref name="action"/> and checks it fails with S3 error <paramref name="code"/>.</summary>
    public static async Task<S3StorageException> FailsWith(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<S3StorageException>(action);
        Assert.Equal(code, e.Code);
        return e;
    }

    /// <summary>The quoted hex MD5 of <paramref name="body"/>, computed independently of the store.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "S3 ETags are MD5 by definition.")]
    public static string Md5ETag(ReadOnlySpan<byte> body) =>
        "\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(body)) + "\"";

    /// <summary>User metadata as comparable text: name and the value's bytes in hex.</summary>
    public static string[] Meta(IReadOnlyList<KeyValuePair<string, byte[]>> meta) =>
        meta.Select(p => p.Key + "=" + Convert.ToHexString(p.Value)).ToArray();

    /// <summary>A metadata pair whose value is the UTF-8 of <paramref name="value"/>.</summary>
    public static KeyValuePair<string, byte[]> Pair(string name, string value) => new(name, System.Text.Encoding.UTF8.GetBytes(value));
}
