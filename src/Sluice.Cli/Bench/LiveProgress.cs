using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>
/// The live line while a workload runs: ops/s, throughput and errors over the last second. On a terminal it is
/// redrawn in place every second (on stderr); when stderr is not a terminal a plain line is printed every 5 seconds.
/// </summary>
internal sealed class LiveProgress : IDisposable
{
    private readonly Timer? _timer;
    private readonly string _name;
    private readonly BenchTimeline _timeline;
    private readonly double _warmup;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private int _ticks;
    private int _width;

    private LiveProgress(string name, BenchTimeline timeline, double warmup, bool quiet)
    {
        _name = name;
        _timeline = timeline;
        _warmup = warmup;
        if (!quiet) _timer = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public static LiveProgress Start(string name, BenchTimeline timeline, double warmup, bool quiet) => new(name, timeline, warmup, quiet);

    private void Tick()
    {
        var last = _timeline.LastSecond();
        double elapsed = _timeline.Elapsed;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{_name}: {elapsed,5:F0}s  {last.Operations,8} ops/s  {Units.FormatSize(last.Bytes)}/s  errors {last.Errors}{(elapsed < _warmup ? "  (warm-up)" : "")}");
        lock (this)
        {
            if (_terminal)
            {
                Console.Error.Write("\r" + line.PadRight(_width));
                _width = line.Length;
            }
            else if (++_ticks % 5 == 0)
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (this)
        {
            if (_terminal && _width > 0) Console.Error.Write("\r" + new string(' ', _width) + "\r");
            _width = 0;
        }
    }
}
