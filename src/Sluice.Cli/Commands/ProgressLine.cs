using System.Globalization;
using Sluice.Cli.Bench;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// A one-line progress display on stderr (bytes, percent, rate, ETA), redrawn in place at most every 200 ms —
/// only when stderr is a terminal and --quiet is off; otherwise it prints nothing, so pipes and logs stay clean.
/// The line always fits the terminal's width: a line that wrapped would leave its first rows behind on every redraw
/// ("\r" only returns to the start of the last row), so the name is shortened, never the numbers.
/// </summary>
internal sealed class ProgressLine : IProgress<TransferProgress>, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>Assumed when the terminal cannot tell its width (the VT100 default).</summary>
    private const int DefaultColumns = 80;

    private const string Ellipsis = "...";
    private readonly object _lock = new();
    private readonly bool _enabled;
    private long _lastDraw;
    private int _width;

    public ProgressLine(bool quiet) => _enabled = !quiet && !Suppressed && !Console.IsErrorRedirected;

    /// <summary>Set by `sluice run`: its lines run at once, and their lines would overwrite each other on one row.</summary>
    internal static bool Suppressed { get; set; }

    /// <summary>--no-progress of the commands that draw one: unlike --quiet, only the line goes; what was done is still printed.</summary>
    public static System.CommandLine.Option<bool> NoProgressOption() =>
        new("--no-progress") { Description = "Do not draw the progress line (the lines saying what was done still print; --quiet drops those too)" };

    public void Report(TransferProgress value) => Report(value, null);

    /// <summary>Draws <paramref name="value"/>; <paramref name="counts"/> (e.g. "3/10 files") goes before the name and is kept whole.</summary>
    public void Report(TransferProgress value, string? counts)
    {
        if (!_enabled) return;
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (!value.IsComplete && now - _lastDraw < Interval.TotalMilliseconds) return;
            _lastDraw = now;
            string line = Format(value, counts, Columns());
            int pad = Math.Max(0, _width - line.Length);
            _width = line.Length;
            Console.Error.Write("\r" + line + new string(' ', pad));
        }
    }

    /// <summary>
    /// The line for a terminal <paramref name="columns"/> wide: at most columns - 1 characters (writing the last column
    /// makes some terminals wrap at once), the numbers whole, the name shortened from the left (its end, the file name,
    /// is what tells transfers apart) or dropped when even the numbers barely fit.
    /// </summary>
    internal static string Format(TransferProgress value, string? counts, int columns)
    {
        string total = value.TotalBytes >= 0 ? " / " + Units.FormatSize(value.TotalBytes) : "";
        string percent = value.TotalBytes > 0 ? $" ({100.0 * value.BytesDone / value.TotalBytes:F0}%)" : "";
        string eta = value.Eta is { } e && !value.IsComplete ? $"  ETA {e.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}s" : "";
        string numbers = $"{Units.FormatSize(value.BytesDone)}{total}{percent}  {Units.FormatSize((long)value.BytesPerSecond)}/s{eta}";
        if (counts != null) numbers += "  " + counts;
        int room = Math.Max(1, columns - 1);
        if (numbers.Length >= room) return numbers[..room];
        int nameRoom = room - numbers.Length - 2;
        string name = value.Name;
        if (name.Length > nameRoom)
            name = nameRoom > Ellipsis.Length ? Ellipsis + name[(name.Length - nameRoom + Ellipsis.Length)..] : "";
        return name.Length == 0 ? numbers : numbers + "  " + name;
    }

    // Asked at every redraw, so a resized window is followed. Console.WindowWidth asks the terminal (TIOCGWINSZ);
    // when it cannot, COLUMNS (set by shells) or the VT100 width.
    private static int Columns()
    {
        try
        {
            int width = Console.WindowWidth;
            if (width > 0) return width;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
        }
        return int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int columns) && columns > 0
            ? columns : DefaultColumns;
    }

    /// <summary>Clears the line so the next output starts clean.</summary>
    public void Dispose()
    {
        if (!_enabled) return;
        lock (_lock)
        {
            if (_width > 0) Console.Error.Write("\r" + new string(' ', _width) + "\r");
            _width = 0;
        }
    }
}
