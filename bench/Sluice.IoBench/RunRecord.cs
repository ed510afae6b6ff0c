using System.Globalization;

namespace Sluice.IoBench;

/// <summary>One child measurement (its @result fields) and which repetition it came from.</summary>
internal sealed record RunRecord(int Run, Dictionary<string, string> Fields)
{
    private const double GiB = 1L << 30;

    public string Scenario => Fields["scenario"];
    /// <summary>The engine variant, see <see cref="EngineVariant.Key"/>.</summary>
    public string Engine => EngineVariant.KeyOf(Fields);
    public int Streams => Fields.TryGetValue("streams", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 0;
    /// <summary>files: randread, read or write.</summary>
    public string Workload => Fields.GetValueOrDefault("workload") ?? "";
    /// <summary>sendfile: splice or read+send.</summary>
    public string Variant => Fields.GetValueOrDefault("variant") ?? "";
    /// <summary>sendfile: same (one reactor), split (two) or any (managed).</summary>
    public string Placement => Fields.GetValueOrDefault("placement") ?? "";

    public double Number(string key) => double.Parse(Fields[key], CultureInfo.InvariantCulture);

    public double Seconds => Number("seconds");
    public double Cpu => Number("cpu");
    public double Requests => Number("requests");
    public double GibiBytes => Number("bytes") / GiB;

    // reqresp
    public double RequestsPerSecond => Requests / Seconds;
    public double CpuPerMillion => Cpu / Requests * 1e6;
    public double UserPerMillion => Number("user") / Requests * 1e6;
    public double SysPerMillion => Number("sys") / Requests * 1e6;
    public double RequestsPerCpuSecond => Requests / Cpu;
    public double SwitchesPerRequest => Number("switches") / Requests;
    public double EntersPerRequest => Number("enters") / Requests;
    public double SqesPerRequest => Number("sqes") / Requests;

    // stream
    public double GibPerSecond => GibiBytes / Seconds;
    public double CpuPerGib => Cpu / GibiBytes;
    public double UserPerGib => Number("user") / GibiBytes;
    public double SysPerGib => Number("sys") / GibiBytes;
    public double EntersPerGib => Number("enters") / GibiBytes;
    public double SwitchesPerGib => Number("switches") / GibiBytes;

    // sendfile, split placement: the process minus the receiver's reactor thread; NaN where the ends share a thread
    public double SenderCpuPerGib => Fields.ContainsKey("receiver_thread_cpu")
        ? (Cpu - Number("receiver_thread_cpu")) / GibiBytes : double.NaN;
    public double SenderThreadCpuPerGib => Fields.ContainsKey("sender_thread_cpu")
        ? Number("sender_thread_cpu") / GibiBytes : double.NaN;
    public double ReceiverThreadCpuPerGib => Fields.ContainsKey("receiver_thread_cpu")
        ? Number("receiver_thread_cpu") / GibiBytes : double.NaN;

    // files
    public double Ops => Number("ops");
    public double Iops => Ops / Seconds;
    public double CpuMicrosPerOp => Cpu / Ops * 1e6;
    public double EntersPerOp => Number("enters") / Ops;
    public double SwitchesPerOp => Number("switches") / Ops;
}
