using System.Text;

namespace Sluice.Cli.Bench;

/// <summary>A plain, column-aligned text table (first column left, the rest right): readable on a terminal and in a
/// log or pipe, where box-drawing tables would not be.</summary>
public sealed class TextTable
{
    private readonly List<IReadOnlyList<string>> _rows = [];

    /// <summary>A table with these column titles.</summary>
    public TextTable(IReadOnlyList<string> columns) => _rows.Add(columns);

    /// <summary>Adds a row (missing cells print empty).</summary>
    public void Add(IReadOnlyList<string> cells) => _rows.Add(cells);

    /// <inheritdoc/>
    public override string ToString()
    {
        int columns = _rows.Max(r => r.Count);
        var widths = new int[columns];
        foreach (var row in _rows)
            for (int i = 0; i < row.Count; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var text = new StringBuilder();
        foreach (var row in _rows)
        {
            for (int i = 0; i < columns; i++)
            {
                string cell = i < row.Count ? row[i] : "";
                if (i > 0) text.Append("  ");
                text.Append(i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
