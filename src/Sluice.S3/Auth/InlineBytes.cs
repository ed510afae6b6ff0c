using System.Runtime.CompilerServices;

namespace Sluice.S3.Auth;

/// <summary>32 bytes held inline (a signature or SHA-256) so results carry them without a heap array.</summary>
[InlineArray(32)]
internal struct InlineBytes32
{
    private byte _element0;
}

/// <summary>16 bytes held inline (an x-amz-date timestamp).</summary>
[InlineArray(16)]
internal struct InlineBytes16
{
    private byte _element0;
}
