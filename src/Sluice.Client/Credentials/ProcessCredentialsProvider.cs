using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Sluice.Client.Credentials;

/// <summary>
/// A profile's credential_process: the command line is split the way a POSIX shell splits words (quotes and
/// backslashes; no variables, globs or pipes — as the AWS CLI runs it, without a shell) and run; it must exit 0 and
/// print {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?} on stdout. Its stdin is
/// empty (a `sluice cp - ...` upload reads the real stdin) and its stderr goes into the error message.
/// </summary>
public sealed class ProcessCredentialsProvider : IAwsCredentialsProvider
{
    /// <summary>Stderr quoted in an error: enough for the tool's own one-line message.</summary>
    private const int MaxStderr = 4096;

    private readonly string _commandLine;
    private readonly string[] _arguments;

    public ProcessCredentialsProvider(string commandLine)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commandLine);
        _commandLine = commandLine;
        _arguments = SplitCommandLine(commandLine);
        if (_arguments.Length == 0)
        {
            throw new AwsCredentialsException("credential_process: the command line is empty");
        }
    }

    public string Name => "credential_process";

    public string CommandLine => _commandLine;

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_arguments[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        for (int i = 1; i < _arguments.Length; i++)
        {
            start.ArgumentList.Add(_arguments[i]);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new AwsCredentialsException($"credential_process: cannot run {_arguments[0]}: {e.Message}", e);
        }

        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }

            throw;
        }

        string error = stderr.Result.Length > MaxStderr ? stderr.Result[..MaxStderr] : stderr.Result;
        if (process.ExitCode != 0)
        {
            throw new AwsCredentialsException($"credential_process exited {process.ExitCode}: {CredentialsHttp.OneLine(error)}");
        }

        using JsonDocument json = CredentialsHttp.ParseJson(stdout.Result, Name);
        JsonElement root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Version", out JsonElement version)
            || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != 1)
        {
            throw new AwsCredentialsException("credential_process: the output must be a JSON object with \"Version\": 1");
        }

        return CredentialsHttp.ReadCredentials(root, "SessionToken", Name);
    }

    /// <summary>POSIX shell word splitting without expansions: '...' literal, "..." with \" \\ \$ \` escapes, \x outside quotes.</summary>
    public static string[] SplitCommandLine(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < commandLine.Length; i++)
        {
            char c = commandLine[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                int end = commandLine.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new AwsCredentialsException("credential_process: unterminated ' in the command line");
                }

                word.Append(commandLine, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= commandLine.Length)
                    {
                        throw new AwsCredentialsException("credential_process: unterminated \" in the command line");
                    }

                    char d = commandLine[i];
                    if (d == '"')
                    {
                        break;
                    }

                    if (d == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        d = commandLine[++i];
                    }

                    word.Append(d);
                }
            }
            else if (c == '\\' && i + 1 < commandLine.Length)
            {
                word.Append(commandLine[++i]);
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }
}
