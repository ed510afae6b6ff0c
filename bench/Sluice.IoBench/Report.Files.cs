namespace Sluice.IoBench;

/// <summary>The files (engines vs fio) and sendfile (splice vs read+send) sections of the report.</summary>
internal sealed partial class Report
{
    // Goals: the io_uring engine's O_DIRECT throughput against fio's; splice's CPU per GiB against read+send's.
    private const double GoalVersusFio = 0.9, GoalSpliceCpu = 0.7;

    private const string Fio = EngineVariant.FioKey, Splice = "splice", ReadSend = "read+send";

    private void Files()
    {
        var o = options;
        var fr = runs.Where(r => r.Scenario == "files").ToList();
        Line();
        Line($"### files: {FormatBytes(o.FileSize)} file in {o.Directory}, O_DIRECT, {o.FileDuration.TotalSeconds:G} s per workload " +
             $"after {o.Warmup.TotalSeconds:G} s warm-up (fio: --ramp_time / --runtime the same)");
        Line();
        Line("Ratios are medians of the per-repeat ratios (each repeat runs the three back to back).");
        Line();
        Line("| workload | metric | io_uring | managed | fio (io_uring) | io_uring/fio | goal | met? | managed/fio |");
        Line("|---|---|---|---|---|---|---|---|---|");
        foreach (string workload in o.Workloads)
        {
            var w = fr.Where(r => r.Workload == workload).ToList();
            if (w.Count == 0) continue;
            string name = workload switch
            {
                "randread" => $"randread 4 KiB, QD {o.RandomDepth}",
                "read" => $"read 1 MiB, QD {o.SequentialDepth}",
                _ => $"write 1 MiB, QD {o.SequentialDepth}, + fsync",
            };
            if (workload == "randread") FileRow(name, "IOPS", w, r => r.Iops, "N0", goal: true);
            else FileRow(name, "GiB/s", w, r => r.GibPerSecond, "F2", goal: true);
            if (workload != "randread") FileRow("", "IOPS", w, r => r.Iops, "N0");
            FileRow("", "CPU s per GiB", w, r => r.CpuPerGib, "F2");
            FileRow("", "— user / sys CPU s per GiB", w, r => r.UserPerGib, "F2", r => r.SysPerGib);
            FileRow("", "CPU µs per I/O", w, r => r.CpuMicrosPerOp, "F1");
            FileRow("", "context switches per I/O", w, r => r.SwitchesPerOp, "F3");
            FileRow("", "io_uring_enter per I/O (engine counter)", w, r => r.EntersPerOp, "F3", ratio: false);
        }
        if (fr.FirstOrDefault(r => r.Engine == Fio) is { } f)
        {
            Line();
            Line($"fio's command, e.g. ({f.Workload}): `{f.Fields["command"]}`");
        }
    }

    private void FileRow(string workload, string metric, List<RunRecord> rows, Func<RunRecord, double> value, string format,
        Func<RunRecord, double>? second = null, bool goal = false, bool ratio = true)
    {
        double? u = MedianOf(rows, r => r.Engine == Uring, value), m = MedianOf(rows, r => r.Engine == Managed, value),
            f = MedianOf(rows, r => r.Engine == Fio, value);
        if (second != null)
        {
            string Both(Func<RunRecord, bool> which) =>
                Pair(MedianOf(rows, which, value), MedianOf(rows, which, second), format);
            Line($"| {workload} | {metric} | {Both(r => r.Engine == Uring)} | {Both(r => r.Engine == Managed)} | " +
                 $"{Both(r => r.Engine == Fio)} | | | | |");
            return;
        }
        double? uf = PairedRatio(rows, Uring, value), mf = PairedRatio(rows, Managed, value);
        string goalText = "", met = "";
        if (goal && uf is { } r)
        {
            goalText = $"≥ {Format(GoalVersusFio, "0.##")}x";
            met = r >= GoalVersusFio ? "yes" : "**no**";
        }
        Line($"| {workload} | {metric} | {Opt(u, format)} | {Opt(m, format)} | {Opt(f, format)} | " +
             $"{(ratio ? RatioText(uf) : "")} | {goalText} | {met} | {(ratio ? RatioText(mf) : "")} |");
    }

    private void SendFile()
    {
        var o = options;
        var sr = runs.Where(r => r.Scenario == "sendfile").ToList();
        Line();
        Line($"### sendfile: {FormatBytes(o.SendFileSize)} page-cached file sent {o.Passes} time(s) per measurement over one " +
             $"loopback connection, after {o.Warmup.TotalSeconds:G} s warm-up; the receiver drains into a 1 MiB buffer");
        Line();
        Line("\"CPU s per GiB\" is the whole process: sender and receiver (and, for splice, the io_uring worker threads " +
             "that run it) together. io_uring is measured with both ends on one reactor and on two (reconnecting until the " +
             "kernel's accept placement matches); the managed engine (thread pool, placement n/a) is the same in both tables. " +
             "With two reactors the receiver has a thread of its own (its CPU from /proc/self/task/TID/schedstat), so the " +
             "sender's side is the process minus that thread — the goal is about the sender.");
        foreach (var (placement, title) in new[] { (SendFileBenchmark.Same, "one reactor"), (SendFileBenchmark.Split, "two reactors") })
        {
            bool IsSplice(RunRecord r) => r.Engine == Uring && r.Variant == Splice && r.Placement == placement;
            bool IsUringCopy(RunRecord r) => r.Engine == Uring && r.Variant == ReadSend && r.Placement == placement;
            bool IsManagedCopy(RunRecord r) => r.Engine == Managed && r.Variant == ReadSend;
            if (!sr.Any(IsSplice) && !sr.Any(IsUringCopy)) continue;
            Line();
            Line($"Sender and receiver on {title} (io_uring):");
            Line();
            Line("| metric | splice (io_uring) | read+send (io_uring) | read+send (managed) | splice / read+send (io_uring) | goal | met? | splice / read+send (managed) |");
            Line("|---|---|---|---|---|---|---|---|");
            void Row3(string metric, Func<RunRecord, double> value, string format, Func<RunRecord, double>? second = null,
                bool goal = false, bool ratio = true)
            {
                if (second != null)
                {
                    string Both(Func<RunRecord, bool> which) =>
                        Pair(MedianOf(sr, which, value), MedianOf(sr, which, second), format);
                    Line($"| {metric} | {Both(IsSplice)} | {Both(IsUringCopy)} | {Both(IsManagedCopy)} | | | | |");
                    return;
                }
                double? s = MedianOf(sr, IsSplice, value), c = MedianOf(sr, IsUringCopy, value), m = MedianOf(sr, IsManagedCopy, value);
                string goalText = "", met = "";
                if (goal && s is { } a && c is { } b && b > 0)
                {
                    goalText = $"≤ {Format(GoalSpliceCpu, "0.##")}x";
                    met = a / b <= GoalSpliceCpu ? "yes" : "**no**";
                }
                Line($"| {metric} | {Opt(s, format)} | {Opt(c, format)} | {Opt(m, format)} | {(ratio ? Ratio(s, c) : "")} | " +
                     $"{goalText} | {met} | {(ratio ? Ratio(s, m) : "")} |");
            }
            Row3("GiB/s", r => r.GibPerSecond, "F2");
            bool split = placement == SendFileBenchmark.Split;
            Row3("CPU s per GiB", r => r.CpuPerGib, "F3", goal: !split);
            if (split)
            {
                Row3("sender side CPU s per GiB (process − receiver thread)", r => r.SenderCpuPerGib, "F3", goal: true);
                Row3("— sender's reactor thread / receiver's reactor thread", r => r.SenderThreadCpuPerGib, "F3",
                    r => r.ReceiverThreadCpuPerGib);
            }
            Row3("— user / sys CPU s per GiB", r => r.UserPerGib, "F3", r => r.SysPerGib);
            Row3("context switches per GiB", r => r.SwitchesPerGib, "N0");
            Row3("io_uring_enter per GiB (engine counter)", r => r.EntersPerGib, "N0", ratio: false);
        }
    }

    /// <summary>
    /// The median over repeats of engine/fio within one repeat. The disk's speed drifts with what else runs on the
    /// machine, by more than the difference measured; runs of one repeat are seconds apart, so their ratio cancels
    /// most of the drift that a ratio of medians taken minutes apart keeps. Both sides are treated alike.
    /// </summary>
    private static double? PairedRatio(List<RunRecord> rows, string engine, Func<RunRecord, double> value)
    {
        var ratios = new List<double>();
        foreach (var run in rows.Select(r => r.Run).Distinct())
        {
            double? a = MedianOf(rows, r => r.Run == run && r.Engine == engine, value);
            double? b = MedianOf(rows, r => r.Run == run && r.Engine == Fio, value);
            if (a is { } x && b is { } y && y > 0) ratios.Add(x / y);
        }
        if (ratios.Count == 0) return null;
        ratios.Sort();
        int n = ratios.Count;
        return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    }

    private static string RatioText(double? ratio) => ratio is { } r ? Format(r, "F2") + "x" : "";

    private static double? MedianOf(List<RunRecord> rows, Func<RunRecord, bool> which, Func<RunRecord, double> value)
    {
        var v = rows.Where(which).Select(value).Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0) return null;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
