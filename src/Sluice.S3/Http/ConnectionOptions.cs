namespace Sluice.S3.Http;

/// <summary>Connection header options this codec acts on.</summary>
[Flags]
public enum ConnectionOptions : byte
{
    None = 0,
    /// <summary>"close": the connection ends after this message.</summary>
    Close = 1,
    /// <summary>"keep-alive": HTTP/1.0 opt-in to persistence.</summary>
    KeepAlive = 2,
    /// <summary>"upgrade": the sender offers a protocol switch (ignored by S3).</summary>
    Upgrade = 4,
}
