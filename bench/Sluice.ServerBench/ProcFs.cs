using System.Globalization;

namespace Sluice.ServerBench;

/// <summary>
/// Reads another process's CPU time and peak RSS from /proc: utime + stime of /proc/PID/stat (clock ticks, 100 Hz),
/// summed over the process and its live children (nginx's workers are children of the master), and VmHWM.
/// </summary>
internal static class ProcFs
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat on Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Field numbers (1-based, as in proc(5)) of /proc/PID/stat.</summary>
    private const int ParentField = 4, UserTimeField = 14, SystemTimeField = 15;

    /// <summary>CPU seconds (user, system) of a process and its direct children.</summary>
    public static (double User, double System) TreeCpu(int pid)
    {
        var (user, system, _) = ReadStat(pid);
        foreach (int child in Children(pid))
        {
            var (u, s, _) = ReadStat(child);
            user += u;
            system += s;
        }
        return (user, system);
    }

    /// <summary>Peak resident set (VmHWM) in bytes of a process plus its direct children.</summary>
    public static long TreePeakRss(int pid) => PeakRss(pid) + Children(pid).Sum(PeakRss);

    public static List<int> Children(int pid)
    {
        var children = new List<int>();
        foreach (string dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int candidate)) continue;
            var (_, _, parent) = ReadStat(candidate);
            if (parent == pid) children.Add(candidate);
        }
        return children;
    }

    private static (double User, double System, int Parent) ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return (0, 0, -1); // exited meanwhile
        }
        // The command name (field 2) is in parentheses and may contain spaces: fields are counted after the last ')'.
        string[] rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        static long Field(string[] f, int number) => long.Parse(f[number - 3], CultureInfo.InvariantCulture);
        return (Field(rest, UserTimeField) / TicksPerSecond, Field(rest, SystemTimeField) / TicksPerSecond,
            (int)Field(rest, ParentField));
    }

    private static long PeakRss(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
