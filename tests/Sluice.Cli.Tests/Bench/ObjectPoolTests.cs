using Sluice.Cli.Bench;

namespace Sluice.Cli.Tests.Bench;

public class ObjectPoolTests
{
    [Fact]
    public void A_delete_never_takes_an_object_being_read_and_an_empty_pool_gives_nothing()
    {
        var pool = new ObjectPool();
        var random = new Random(3);
        Assert.Null(pool.TakeForRead(random));
        Assert.Null(pool.TakeForDelete(random));
        var only = new PooledObject("b", "k0", 10);
        pool.Add(only);
        var read = pool.TakeForRead(random);
        Assert.Same(only, read);
        Assert.Null(pool.TakeForDelete(random)); // held by a reader
        pool.Release(read!);
        Assert.Same(only, pool.TakeForDelete(random));
        Assert.Equal(0, pool.Count);
        Assert.Null(pool.TakeForRead(random));
    }

    [Fact]
    public void Concurrent_reads_adds_and_deletes_keep_every_object_exactly_once()
    {
        var pool = new ObjectPool();
        for (int i = 0; i < 100; i++) pool.Add(new PooledObject("b", "k" + i, 1));
        var deleted = new System.Collections.Concurrent.ConcurrentBag<PooledObject>();
        int added = 0;
        Parallel.For(0, 8, w =>
        {
            var random = new Random(w);
            for (int i = 0; i < 20_000; i++)
            {
                switch (random.Next(3))
                {
                    case 0:
                        if (pool.TakeForRead(random) is { } r) pool.Release(r);
                        break;
                    case 1:
                        if (pool.TakeForDelete(random) is { } d) deleted.Add(d);
                        break;
                    default:
                        pool.Add(new PooledObject("b", "n", 1));
                        Interlocked.Increment(ref added);
                        break;
                }
            }
        });
        Assert.Equal(deleted.Count, deleted.Distinct().Count()); // no object deleted twice
        Assert.Equal(100 + added - deleted.Count, pool.Count);
    }
}
