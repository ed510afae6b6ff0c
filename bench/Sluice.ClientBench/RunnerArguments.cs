using System.Globalization;

namespace Sluice.ClientBench;

/// <summary>
/// The command line of the runners started as child processes (Sluice's and the AWS SDK's, which links this file),
/// the same flags as the Python peers'.
/// </summary>
internal sealed class RunnerArguments
{
    public string Mode { get; private set; } = "";
    public string Endpoint { get; private set; } = "";
    public string Bucket { get; private set; } = "";
    public string Key { get; private set; } = "";
    public string? File { get; private set; }
    public long PartSize { get; private set; } = 8 << 20;
    public int Concurrency { get; private set; } = 8;
    public string Prefix { get; private set; } = "small";
    public int Count { get; private set; } = 2000;
    public int ObjectSize { get; private set; } = 4096;
    public bool Defaults { get; private set; }
    public string AccessKey { get; private set; } = "sluice";
    public string SecretKey { get; private set; } = "sluice-dev-secret";

    public static RunnerArguments Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("get" or "put" or "small"))
            throw new ArgumentException("usage: get|put|small --endpoint URL --bucket B ...");
        var a = new RunnerArguments { Mode = args[0] };
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--endpoint": a.Endpoint = value; break;
                case "--bucket": a.Bucket = value; break;
                case "--key": a.Key = value; break;
                case "--file": a.File = value; break;
                case "--part-size": a.PartSize = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "--concurrency": a.Concurrency = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--prefix": a.Prefix = value; break;
                case "--count": a.Count = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--object-size": a.ObjectSize = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--defaults": a.Defaults = bool.Parse(value); break;
                case "--access-key": a.AccessKey = value; break;
                case "--secret-key": a.SecretKey = value; break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        if (a.Endpoint.Length == 0 || a.Bucket.Length == 0) throw new ArgumentException("--endpoint and --bucket are required");
        return a;
    }
}
