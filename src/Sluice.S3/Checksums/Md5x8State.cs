using System.Runtime.CompilerServices;

namespace Sluice.S3.Checksums;

/// <summary>
/// Eight MD5 states as the vector kernel holds them: word A of lanes 0..7, then B, C and D (struct of arrays), so
/// each word is one 256-bit load. Lane j's state is elements j, 8 + j, 16 + j and 24 + j.
/// </summary>
[InlineArray(4 * Md5x8.Lanes)]
internal struct Md5x8State
{
    private uint _first;
}
