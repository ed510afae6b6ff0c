using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Sluice.Benchmarks;

namespace Sluice.AllocationGates;

/// <summary>
/// Runs every benchmark marked [AllocationFree] (bench/Sluice.Benchmarks) as a gate: set up as BenchmarkDotNet would
/// (first [Params] value, [GlobalSetup]), warmed, then called many times while the bytes this thread allocates are
/// counted. Exit 0 when none allocates, 1 naming those that do. Run:
/// dotnet run -c Release --project bench/Sluice.AllocationGates [-- name-filter]
/// </summary>
public static class Program
{
    private const int Warmup = 200;
    private const int Calls = 2_000;

    public static int Main(string[] args)
    {
        string? filter = args.Length > 0 ? args[0] : null;
        int failed = 0, run = 0;
        foreach (var type in typeof(AllocationFreeAttribute).Assembly.GetTypes().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<AllocationFreeAttribute>() != null))
            {
                string name = $"{type.Name}.{method.Name}";
                if (filter != null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
                long allocated = Run(type, method);
                run++;
                bool ok = allocated == 0;
                if (!ok) failed++;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(ok ? "ok  " : "FAIL")}  {name}: {allocated} bytes over {Calls} calls"));
            }
        }
        (string Name, Func<Task<long>> Run, long Bound)[] measuredGates =
        [
            .. ReactorGates.All.Select(g => (g.Name, g.Run, ReactorGates.Slack)),
            ("ServerGates.CachedSmallGet(uring)", () => ServerGates.CachedSmallGetAsync("uring"), ServerGates.Bound),
            ("ServerGates.CachedSmallGet(managed)", () => ServerGates.CachedSmallGetAsync("managed"), ServerGates.Bound),
            ("ServerGates.CachedSmallGet(uring, Origin, bucket without CORS)",
                () => ServerGates.CachedSmallGetAsync("uring", origin: "http://app.example"), ServerGates.Bound),
            ("ServerGates.CachedSmallGet(uring, Origin a CORS rule matches)",
                () => ServerGates.CachedSmallGetAsync("uring", origin: "http://app.example", corsRules: true), ServerGates.Bound),
            ("ServerGates.CachedSmallGet(uring, metrics listener)",
                () => ServerGates.CachedSmallGetAsync("uring", observed: true), ServerGates.Bound),
            ("ServerGates.CachedSmallGet(uring, metrics listener + access log)",
                () => ServerGates.CachedSmallGetAsync("uring", observed: true, accessLogged: true), ServerGates.LoggedBound),
        ];
        foreach (var (name, gate, bound) in measuredGates)
        {
            if (filter != null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            long allocated;
            try
            {
                allocated = gate().GetAwaiter().GetResult();
            }
            catch (Sluice.IO.IoException e) when (e.Operation == "io_uring_setup")
            {
                Console.WriteLine($"skip  {name}: {e.Message}");
                continue;
            }
            run++;
            bool ok = allocated < bound;
            if (!ok) failed++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(ok ? "ok  " : "FAIL")}  {name}: {allocated} bytes over its rounds (bound {bound})"));
        }
        if (run == 0)
        {
            Console.Error.WriteLine($"allocation gates: nothing matches '{filter}'");
            return 2;
        }
        Console.WriteLine(failed == 0 ? $"{run} allocation gates pass" : $"{failed} of {run} allocation gates allocate");
        return failed == 0 ? 0 : 1;
    }

    private static long Run(Type type, MethodInfo method)
    {
        object instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties())
            if (property.GetCustomAttribute<ParamsAttribute>() is { } values) property.SetValue(instance, values.Values[0]);
        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            // A typed delegate: calling it boxes nothing, so what is counted is the operation's own allocation.
            var measure = typeof(Program).GetMethod(nameof(Measure), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(method.ReturnType);
            var operation = method.CreateDelegate(typeof(Func<>).MakeGenericType(method.ReturnType), instance);
            return (long)measure.Invoke(null, [operation])!;
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    private static long Measure<T>(Func<T> operation)
    {
        for (int i = 0; i < Warmup; i++) operation();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++) operation();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void Invoke<TAttribute>(Type type, object instance) where TAttribute : Attribute
    {
        foreach (var m in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() != null)) m.Invoke(instance, null);
    }
}
