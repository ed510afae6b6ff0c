namespace Sluice.Client.Credentials;

/// <summary>Credentials could not be obtained; the message is one line that names the source that failed.</summary>
public sealed class AwsCredentialsException : Exception
{
    public AwsCredentialsException()
    {
    }

    public AwsCredentialsException(string message)
        : base(message)
    {
    }

    public AwsCredentialsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
