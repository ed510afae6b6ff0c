using System.Globalization;
using Sluice.Cli.Bench;
using Sluice.Client.Transfer;

namespace Sluice.Cli.Commands;

/// <summary>
/// A one-line progress display on stderr (bytes, percent, rate, ETA), redrawn in place at most every 200 ms —
/// only when stderr is a terminal and --quiet is off; otherwise it prints nothing, so pipes and logs stay clean.
/// </summary>
internal sealed class ProgressLine : IProgress<TransferProgress>, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly object _lock = new();
    private readonly bool _enabled;
    private long _lastDraw;
    private int _width;

    public ProgressLine(bool quiet) => _enabled = !quiet && !Console.IsErrorRedirected;

    public void Report(TransferProgress value)
    {
        if (!_enabled) return;
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (!value.IsComplete && now - _lastDraw < Interval.TotalMilliseconds) return;
            _lastDraw = now;
            string total = value.TotalBytes >= 0 ? " / " + Units.FormatSize(value.TotalBytes) : "";
            string percent = value.TotalBytes > 0 ? $" ({100.0 * value.BytesDone / value.TotalBytes:F0}%)" : "";
            string eta = value.Eta is { } e && !value.IsComplete ? $"  ETA {e.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}s" : "";
            string line = $"{Units.FormatSize(value.BytesDone)}{total}{percent}  {Units.FormatSize((long)value.BytesPerSecond)}/s{eta}  {value.Name}";
            int pad = Math.Max(0, _width - line.Length);
            _width = line.Length;
            Console.Error.Write("\r" + line + new string(' ', pad));
        }
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
