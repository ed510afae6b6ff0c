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
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private int _ticks;
    private int _width;

    private LiveProgress(string name, BenchTimeline timeline, bool quiet)
    {
        _name = name;
        _timeline = timeline;
        if (!quiet) _timer = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public static LiveProgress Start(string name, BenchTimeline timeline, bool quiet) => new(name, timeline, quiet);

    private void Tick()
    {
        var last = _timeline.LastSecond();
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{_name}: {_timeline.Elapsed,5:F0}s  {last.Operations,8} ops/s  {Units.FormatSize(last.Bytes)}/s  errors {last.Errors}");
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
