namespace Sluice.Client.Tests.Throttle;

/// <summary>A clock that moves only when told (<see cref="Advance"/>), firing the timers that fall due: waits are checked without waiting.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_lock) return _ticks;
    }

    public int PendingTimers
    {
        get
        {
            lock (_lock) return _timers.Count(t => t.Due >= 0);
        }
    }

    /// <summary>Completes when a timer is pending (at once if one is): a driver then advances to it, no sleeping.</summary>
    public Task TimerArmedAsync()
    {
        lock (_lock) return _timers.Any(t => t.Due >= 0) ? Task.CompletedTask : _armed.Task;
    }

    /// <summary>Moves the clock to the earliest pending timer and fires it; returns how far it moved (null: no timer).</summary>
    public TimeSpan? AdvanceToNextTimer()
    {
        long by;
        lock (_lock)
        {
            var pending = _timers.Where(t => t.Due >= 0).ToList();
            if (pending.Count == 0) return null;
            by = Math.Max(0, pending.Min(t => t.Due) - _ticks);
        }
        Advance(TimeSpan.FromTicks(by));
        return TimeSpan.FromTicks(by);
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            _ticks += by.Ticks;
            due = _timers.Where(t => t.Due >= 0 && t.Due <= _ticks).ToList();
            foreach (var t in due) t.Due = -1;
        }
        foreach (var t in due) t.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long Due = -1;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool fireNow = false;
            TaskCompletionSource? armed = null;
            lock (owner._lock)
            {
                if (!owner._timers.Contains(this)) owner._timers.Add(this);
                if (dueTime == Timeout.InfiniteTimeSpan) Due = -1;
                else if (dueTime <= TimeSpan.Zero) fireNow = true;
                else
                {
                    Due = owner._ticks + dueTime.Ticks;
                    armed = owner._armed;
                    owner._armed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            armed?.TrySetResult();
            if (fireNow) Fire();
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
