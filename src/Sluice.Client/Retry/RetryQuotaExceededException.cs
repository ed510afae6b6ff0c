namespace Sluice.Client.Retry;

/// <summary>
/// A retryable failure that was not retried because the client's retry quota (<see cref="RetryOptions.BudgetCapacity"/>)
/// could not pay for the retry: failures are widespread, so the error is returned at once instead of adding load.
/// <see cref="S3Exception.Code"/> and the status are those of the last failure, which is also the inner exception.
/// </summary>
public sealed class RetryQuotaExceededException : S3Exception
{
    public RetryQuotaExceededException(S3Exception last, int tokensLeft, int cost)
        : base(last?.Code ?? throw new ArgumentNullException(nameof(last)), last.StatusCode,
            $"{last.Message} (not retried: the retry quota has {tokensLeft} tokens, a retry costs {cost})",
            last.RequestId, last.HostId, last.Resource, isRetryable: false, innerException: last)
    {
        TokensLeft = tokensLeft;
        Cost = cost;
        Attempts = last.Attempts;
    }

    /// <summary>Quota tokens left when the retry was refused.</summary>
    public int TokensLeft { get; }

    /// <summary>What the refused retry would have cost.</summary>
    public int Cost { get; }
}
