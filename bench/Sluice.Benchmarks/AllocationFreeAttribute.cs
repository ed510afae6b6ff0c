namespace Sluice.Benchmarks;

/// <summary>
/// Marks a benchmark whose operation must allocate nothing once warm. bench/Sluice.AllocationGates runs every marked
/// method untiered and fails when one allocates; the benchmark itself reports the same figure under [MemoryDiagnoser].
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllocationFreeAttribute : Attribute;
