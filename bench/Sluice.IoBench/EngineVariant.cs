namespace Sluice.IoBench;

/// <summary>
/// An engine as measured: which engine, and for io_uring whether client loops run on the reactors or on the thread
/// pool. <see cref="Key"/> is how a run's results are grouped in the report.
/// </summary>
internal readonly record struct EngineVariant(string Engine, bool ClientsOnReactor)
{
    public const string UringKey = "io_uring", UringPoolKey = "io_uring/pool", ManagedKey = "managed", FioKey = "fio";

    public string Key => Engine == "managed" ? ManagedKey : ClientsOnReactor ? UringKey : UringPoolKey;

    /// <summary>The key of a child's result line (engine and clients fields); fio's lines are the fio runner's.</summary>
    public static string KeyOf(Dictionary<string, string> fields) => fields["engine"] switch
    {
        "managed" => ManagedKey,
        "fio" => FioKey,
        _ => fields.GetValueOrDefault("clients") == "pool" ? UringPoolKey : UringKey,
    };
}
