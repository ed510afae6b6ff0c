namespace Sluice.Cli.Bench;

/// <summary>The operations' names as the command line, the JSON and the ops file write them.</summary>
public static class OpKinds
{
    /// <summary>Every kind, in <see cref="OpKind"/> order.</summary>
    public static readonly IReadOnlyList<OpKind> All = Enum.GetValues<OpKind>();

    private static readonly string[] Names = ["get", "put", "head", "delete", "list", "multipart"];

    /// <summary>"get", "put", ...</summary>
    public static string Name(this OpKind kind) => Names[(int)kind];

    /// <summary>The kind named <paramref name="name"/> (case-insensitive; "stat" is warp's word for head).</summary>
    public static bool TryParse(string? name, out OpKind kind)
    {
        string n = name?.Trim().ToLowerInvariant() ?? "";
        if (n == "stat") n = "head";
        int i = Array.IndexOf(Names, n);
        kind = i < 0 ? default : (OpKind)i;
        return i >= 0;
    }

    /// <summary>True for operations that read a pooled object (and need one to exist).</summary>
    public static bool ReadsObject(this OpKind kind) => kind is OpKind.Get or OpKind.Head;
}
