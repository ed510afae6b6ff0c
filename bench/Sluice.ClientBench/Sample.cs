namespace Sluice.ClientBench;

/// <summary>
/// One measured operation of one client in one run. Seconds and PhaseCpu come from the runner itself (rclone: the
/// whole process); ProcessCpu and PeakRssMiB from wait4 of the whole process, start-up included.
/// </summary>
internal sealed record Sample(string Scenario, string Op, string Client, int Run, double Seconds, double PhaseCpu,
    double ProcessCpu, double PeakRssMiB, long Bytes, int Ops, double? P50Ms, double? P99Ms, long? BudgetPeak = null);

/// <summary>A measurement that failed: reported in the tables instead of a number.</summary>
internal sealed record Failure(string Scenario, string Op, string Client, int Run, string Message);
