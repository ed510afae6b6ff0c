namespace Sluice.S3.Tests.Checksums;

/// <summary>
/// The textbook bit-at-a-time reflected CRC with init = xorout = all ones, written from the Rocksoft model
/// definition and independent of the production tables and folding.
/// </summary>
internal static class ReferenceCrc
{
    public const ulong Crc32Polynomial = 0xEDB88320;
    public const ulong Crc32CPolynomial = 0x82F63B78;
    public const ulong Crc64NvmePolynomial = 0x9A6C9329AC4BC9B5;

    public static ulong Compute(int width, ulong reflectedPolynomial, ReadOnlySpan<byte> data)
    {
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ulong register = mask;
        foreach (byte b in data)
        {
            register ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                register = (register & 1) != 0 ? (register >> 1) ^ reflectedPolynomial : register >> 1;
            }
        }

        return register ^ mask;
    }

    public static uint Crc32(ReadOnlySpan<byte> data) => (uint)Compute(32, Crc32Polynomial, data);

    public static uint Crc32C(ReadOnlySpan<byte> data) => (uint)Compute(32, Crc32CPolynomial, data);

    public static ulong Crc64Nvme(ReadOnlySpan<byte> data) => Compute(64, Crc64NvmePolynomial, data);
}
