using Sluice.Server.Service.Encryption;

namespace Sluice.Server.Tests.Compat;

/// <summary>A <see cref="CompatServer"/> with an SSE-KMS key file's keys (<see cref="KmsKeyId"/> first, the default).</summary>
public class SseCompatServer : CompatServer
{
    public const string KmsKeyId = "arn:aws:kms:us-east-1:000000000000:key/5eb0c0de-0000-4000-8000-000000000001";

    public SseCompatServer()
    {
    }

    private protected SseCompatServer(bool inMemory) : base(null, inMemory)
    {
    }

    private protected override IReadOnlyList<KmsKey>? KmsKeys =>
        [new KmsKey(KmsKeyId, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray()), new KmsKey("alias/other", new byte[32])];
}

/// <summary><see cref="SseCompatServer"/> on the memory store.</summary>
public sealed class SseMemoryCompatServer : SseCompatServer
{
    public SseMemoryCompatServer() : base(inMemory: true)
    {
    }
}
