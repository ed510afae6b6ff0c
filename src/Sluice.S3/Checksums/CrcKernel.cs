namespace Sluice.S3.Checksums;

/// <summary>
/// Which implementation <see cref="CrcEngine"/> may use. Production code always passes <see cref="Auto"/>;
/// tests force each kernel so every path is checked against the others on this machine.
/// </summary>
internal enum CrcKernel
{
    /// <summary>Pick by input length and CPU support.</summary>
    Auto,

    /// <summary>Slicing-by-8 tables only: the portable fallback.</summary>
    Table,

    /// <summary>The SSE4.2 CRC32 instruction (CRC-32C only; other polynomials fall back to tables).</summary>
    Sse42,

    /// <summary>Carry-less multiply folding with 128-bit vectors (PCLMULQDQ).</summary>
    Vector128,

    /// <summary>As <see cref="Vector128"/> but allowing 256-bit VPCLMULQDQ for long inputs.</summary>
    Vector256,

    /// <summary>As <see cref="Vector128"/> but allowing 512-bit VPCLMULQDQ for long inputs.</summary>
    Vector512,
}
