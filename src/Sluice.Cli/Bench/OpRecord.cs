using System.Globalization;
using System.Text;

namespace Sluice.Cli.Bench;

/// <summary>
/// One request as a bench worker saw it: what, who (agent and worker), when it started relative to the job's start
/// (warm-up included), how long it took, when its first body byte came (GET only), the object's size and the payload
/// it moved (0 when it failed), and its error (an S3 code or exception type; null when it succeeded). The rows of an
/// ops file (--save-ops) and of an agent's answer.
/// </summary>
public readonly record struct OpRecord(OpKind Op, int Agent, int Worker, long StartMicros, long DurationMicros,
    long TtfbMicros, long Size, long Bytes, string? Error)
{
    /// <summary>The CSV header of <see cref="AppendCsv"/>'s rows.</summary>
    public const string CsvHeader = "job,op,agent,worker,start_us,duration_us,ttfb_us,size,bytes,error";

    /// <summary>When the request finished, in microseconds since the job started.</summary>
    public long EndMicros => StartMicros + DurationMicros;

    /// <summary>Appends this record as one CSV row of job <paramref name="job"/> (no newline).</summary>
    public void AppendCsv(StringBuilder line, int job)
    {
        ArgumentNullException.ThrowIfNull(line);
        var c = CultureInfo.InvariantCulture;
        line.Append(job.ToString(c)).Append(',').Append(Op.Name()).Append(',').Append(Agent.ToString(c)).Append(',')
            .Append(Worker.ToString(c)).Append(',').Append(StartMicros.ToString(c)).Append(',').Append(DurationMicros.ToString(c))
            .Append(',').Append(TtfbMicros.ToString(c)).Append(',').Append(Size.ToString(c)).Append(',')
            .Append(Bytes.ToString(c)).Append(',');
        // Codes and type names hold no commas; anything else that might is made safe rather than quoted.
        if (Error != null) line.Append(Error.Replace(',', ';').Replace('\n', ' ').Replace('\r', ' '));
    }

    /// <summary>Parses a row written by <see cref="AppendCsv"/>; false (with the job unset) for anything else.</summary>
    public static bool TryParseCsv(string line, out int job, out OpRecord record)
    {
        ArgumentNullException.ThrowIfNull(line);
        job = -1;
        record = default;
        string[] f = line.Split(',');
        var c = CultureInfo.InvariantCulture;
        if (f.Length != 10 || !int.TryParse(f[0], NumberStyles.None, c, out int j) || !OpKinds.TryParse(f[1], out var op)
            || !int.TryParse(f[2], NumberStyles.None, c, out int agent) || !int.TryParse(f[3], NumberStyles.None, c, out int worker)
            || !long.TryParse(f[4], NumberStyles.None, c, out long start) || !long.TryParse(f[5], NumberStyles.None, c, out long duration)
            || !long.TryParse(f[6], NumberStyles.AllowLeadingSign, c, out long ttfb) || !long.TryParse(f[7], NumberStyles.None, c, out long size)
            || !long.TryParse(f[8], NumberStyles.None, c, out long bytes))
            return false;
        job = j;
        record = new OpRecord(op, agent, worker, start, duration, ttfb, size, bytes, f[9].Length == 0 ? null : f[9]);
        return true;
    }
}
