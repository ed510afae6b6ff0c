using Sluice.IO;
using Sluice.Server.Storage;

namespace Sluice.Server.FaultHost;

/// <summary>
/// `Sluice.Server.FaultHost put-loop DIR uring|managed`: writes objects into bucket "crash" forever — key "k-i" with
/// a body derived from i, and key "same" overwritten with version i — printing "ack i" after each pair is committed
/// (that is, acknowledged). The test kills it with SIGKILL at a random moment and checks what the store holds.
/// </summary>
public static class Program
{
    /// <summary>Body of object i: deterministic, sizes spread from 0 to ~300 KiB (0 and page edges included).</summary>
    public static byte[] Body(int i)
    {
        int size = i % 7 == 0 ? 0 : (i * 7919) % 300_000;
        var bytes = new byte[size];
        new Random(i).NextBytes(bytes);
        return bytes;
    }

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 3 || args[0] != "put-loop") { Console.Error.WriteLine("usage: put-loop DIR uring|managed"); return 2; }
        await using var engine = IoEngine.Create(new IoEngineOptions { Mode = args[2], ReactorCount = 2 });
        await using var store = await ObjectStore.OpenAsync(engine, args[1]);
        await store.CreateBucketAsync("crash");
        Console.WriteLine("ready");
        for (int i = 0; ; i++)
        {
            byte[] body = Body(i);
            await using (var writer = await store.BeginPutAsync("crash", "k-" + i))
            {
                for (int at = 0; at < body.Length; at += 16_384)
                    await writer.WriteAsync(body.AsMemory(at, Math.Min(16_384, body.Length - at)));
                await writer.CommitAsync();
            }
            await store.PutAsync("crash", "same", body, new ObjectAttributes { UserMetadata = [new("version", System.Text.Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))] });
            Console.WriteLine("ack " + i);
        }
    }
}
