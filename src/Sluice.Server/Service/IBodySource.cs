using Sluice.IO;

namespace Sluice.Server.Service;

/// <summary>A request body as the service reads it: verified bytes in order, and the front's thread to come back to.</summary>
public interface IBodySource
{
    /// <summary>Reads body bytes; 0 once the body is complete (and verified).</summary>
    ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Continues on the thread serving the request after work elsewhere (see S3Exchange.ResumeOnOwner).</summary>
    OwnerAwaitable ResumeOnOwner();
}
