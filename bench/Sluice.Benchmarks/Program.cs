using BenchmarkDotNet.Running;

namespace Sluice.Benchmarks;

/// <summary>Entry point: `dotnet run -c Release --project bench/Sluice.Benchmarks -- --filter '*'`.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
