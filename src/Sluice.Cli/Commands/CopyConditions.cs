using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>
/// s5cmd's overwrite conditions for cp and mv: --no-clobber, --if-size-differ and --if-source-newer. They apply only
/// when the destination exists; then, as s5cmd decides, the last condition given in this order has the say
/// (--if-source-newer over --if-size-differ over --no-clobber), so <c>-n -s</c> overwrites only a different size.
/// A skipped item is not copied and, for mv, its source is kept.
/// </summary>
internal sealed class CopyConditions
{
    public Option<bool> NoClobber { get; } = new("--no-clobber", "-n") { Description = "Never overwrite an existing destination" };

    public Option<bool> IfSizeDiffer { get; } = new("--if-size-differ", "-s") { Description = "Overwrite an existing destination only when the sizes differ" };

    public Option<bool> IfSourceNewer { get; } = new("--if-source-newer", "-u")
    {
        Description = "Overwrite an existing destination only when the source was modified later (whole seconds)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(NoClobber);
        command.Options.Add(IfSizeDiffer);
        command.Options.Add(IfSourceNewer);
    }

    /// <summary>The conditions the command line asks for.</summary>
    public Rules Read(ParseResult parse) => new(parse.GetValue(NoClobber), parse.GetValue(IfSizeDiffer), parse.GetValue(IfSourceNewer));

    /// <summary>What decides whether an existing destination is overwritten.</summary>
    internal readonly record struct Rules(bool NoClobber, bool IfSizeDiffer, bool IfSourceNewer)
    {
        public bool Any => NoClobber || IfSizeDiffer || IfSourceNewer;

        /// <summary>
        /// Why the copy is skipped (null: copy). <paramref name="destination"/> is null when there is none. Times are
        /// compared in whole seconds: S3 keeps seconds, a file system finer, so a file and its upload would differ.
        /// </summary>
        public string? SkipReason(Item source, Item? destination)
        {
            if (destination is not { } d) return null;
            string? reason = NoClobber ? "the destination exists" : null;
            if (IfSizeDiffer) reason = source.Size == d.Size ? "the sizes are equal" : null;
            if (IfSourceNewer) reason = source.Modified.ToUnixTimeSeconds() > d.Modified.ToUnixTimeSeconds() ? null : "the source is not newer";
            return reason;
        }
    }

    /// <summary>A file or object's size and modification time.</summary>
    internal readonly record struct Item(long Size, DateTimeOffset Modified);
}
