using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Sluice.Benchmarks;

/// <summary>
/// A throughput column: the bytes one operation of a case processes (from its parameters; null: not shown) over the
/// mean time, in GiB/s.
/// </summary>
internal sealed class GibPerSecondColumn(string legend, Func<BenchmarkCase, long?> bytesPerOperation) : IColumn
{
    public string Id => nameof(GibPerSecondColumn);

    public string ColumnName => "GiB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0 || bytesPerOperation(benchmarkCase) is not { } bytes) return "-";
        return (bytes / (meanNs.Value * 1e-9) / (1 << 30)).ToString("F2", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
