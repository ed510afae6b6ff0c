using System.Runtime.CompilerServices;

namespace Sluice.S3.Checksums;

/// <summary>
/// Where each lane of an <see cref="Md5x8"/> pass reads its blocks: the address of its first block (consecutive
/// blocks follow), or zero for an idle lane, which then computes on a block of zeros and must not be stored back.
/// </summary>
[InlineArray(Md5x8.Lanes)]
internal struct Md5LanePointers
{
    private nint _first;
}
