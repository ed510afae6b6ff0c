namespace Sluice.Client.Transport;

/// <summary>
/// Stall detection over a sliding window (the rule <see cref="HttpConnection"/> applies per connection, here per
/// HTTP/2 stream direction): fewer than <see cref="S3ClientOptions.StallMinBytesPerSecond"/> × window bytes moved in
/// a window of <see cref="S3ClientOptions.StallTimeout"/> throws Stalled.
/// </summary>
internal struct StallWindow
{
    private long _start;
    private long _bytes;

    public void Reset()
    {
        _start = Environment.TickCount64;
        _bytes = 0;
    }

    public void Account(int bytes, S3ClientOptions settings)
    {
        _bytes += bytes;
        long now = Environment.TickCount64;
        long elapsed = now - _start;
        if (elapsed < (long)settings.StallTimeout.TotalMilliseconds)
        {
            return;
        }

        if (_bytes < settings.StallMinBytesPerSecond * elapsed / 1000.0)
        {
            throw new S3Exception(S3ClientErrorCodes.Stalled, 0,
                $"The stream moved {_bytes} bytes in {elapsed} ms (below {settings.StallMinBytesPerSecond} B/s); dropped.",
                isRetryable: true);
        }

        _start = now;
        _bytes = 0;
    }
}
