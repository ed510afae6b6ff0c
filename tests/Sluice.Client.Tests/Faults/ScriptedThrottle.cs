using System.Globalization;
using System.Text;

namespace Sluice.Client.Tests.Faults;

/// <summary>
/// A <see cref="FaultProxy"/> answer script: requests whose path starts with a prefix are answered 503 SlowDown (S3's
/// XML, optionally with <c>x-amz-retry-after</c> in milliseconds) the first <c>times</c> times, as S3 answers a hot
/// partition; everything else, and those requests once the script is spent or <see cref="Stop"/>ped, reach the server.
/// </summary>
internal sealed class ScriptedThrottle(string pathPrefix, int times, int? retryAfterMs = null)
{
    private int _left = times;
    private int _answered;
    private volatile bool _stopped;

    /// <summary>503s sent so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>From now on, relay everything (the "partition" has scaled).</summary>
    public void Stop() => _stopped = true;

    /// <summary>For <see cref="FaultProxy"/>'s answer hook: the raw response, or null to relay.</summary>
    public string? Answer(string head)
    {
        string line = head.Split(" | ")[0];
        string[] parts = line.Split(' ');
        if (parts.Length < 2 || !parts[1].StartsWith(pathPrefix, StringComparison.Ordinal) || _stopped
            || Interlocked.Decrement(ref _left) < 0)
        {
            return null;
        }

        Interlocked.Increment(ref _answered);
        string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
            + $"<RequestId>throttle-{Guid.NewGuid():N}</RequestId></Error>";
        string retryAfter = retryAfterMs is { } ms ? $"x-amz-retry-after: {ms.ToString(CultureInfo.InvariantCulture)}\r\n" : "";
        bool isHead = parts[0] == "HEAD";
        return $"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n"
            + $"x-amz-request-id: throttle\r\n{retryAfter}\r\n{(isHead ? "" : body)}";
    }
}
