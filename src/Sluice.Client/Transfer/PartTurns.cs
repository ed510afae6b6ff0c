namespace Sluice.Client.Transfer;

/// <summary>
/// Lets download parts take their turn in part order: a part that arrives early waits until every part before it
/// has had its turn. The scheduler reserves parts in order, so the part waited for is always in flight.
/// </summary>
internal sealed class PartTurns
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, TaskCompletionSource> _turns = [];
    private int _next;

    /// <summary>Completes when part <paramref name="index"/> may take its turn.</summary>
    public Task WaitAsync(int index, CancellationToken cancellationToken) => TurnOf(index).Task.WaitAsync(cancellationToken);

    /// <summary>Part <paramref name="index"/> has had its turn: the next part may go.</summary>
    public void Done(int index)
    {
        lock (_lock)
        {
            _next = index + 1;
            _turns.Remove(index);
        }
        TurnOf(index + 1).TrySetResult();
    }

    private TaskCompletionSource TurnOf(int index)
    {
        lock (_lock)
        {
            if (!_turns.TryGetValue(index, out var tcs))
            {
                tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (index <= _next) tcs.TrySetResult();
                _turns[index] = tcs;
            }
            return tcs;
        }
    }
}
