namespace Sluice.Client.Retry;

/// <summary>A thread-safe token bucket: retries withdraw, successes deposit (capped at capacity).</summary>
internal sealed class RetryBudget
{
    private readonly int _capacity;
    private int _tokens;

    public RetryBudget(int capacity)
    {
        _capacity = capacity;
        _tokens = capacity;
    }

    public int Available => Volatile.Read(ref _tokens);

    public bool TryWithdraw(int cost)
    {
        while (true)
        {
            int current = Volatile.Read(ref _tokens);
            if (current < cost)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _tokens, current - cost, current) == current)
            {
                return true;
            }
        }
    }

    public void Deposit(int amount)
    {
        while (true)
        {
            int current = Volatile.Read(ref _tokens);
            if (current >= _capacity)
            {
                return;
            }

            int next = Math.Min(_capacity, current + amount);
            if (Interlocked.CompareExchange(ref _tokens, next, current) == current)
            {
                return;
            }
        }
    }
}
