using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>
/// The operations a job makes and their weights (--mix get=60,put=25,head=10,delete=5): each request picks its kind
/// at random with probability weight / total. A single-operation workload is a mix of one.
/// </summary>
public sealed class OpMix
{
    /// <summary>The `mixed` workload's default: mostly reads, some metadata, some uploads.</summary>
    public const string DefaultMixed = "get=60,head=25,put=15";

    private readonly double[] _weights;
    private readonly double _total;

    private OpMix(double[] weights)
    {
        _weights = weights;
        _total = weights.Sum();
    }

    /// <summary>A mix of one operation.</summary>
    public static OpMix Only(OpKind kind)
    {
        var weights = new double[OpKinds.All.Count];
        weights[(int)kind] = 1;
        return new OpMix(weights);
    }

    /// <summary>The kinds with a positive weight, in <see cref="OpKind"/> order.</summary>
    public IReadOnlyList<OpKind> Kinds => [.. OpKinds.All.Where(k => _weights[(int)k] > 0)];

    /// <summary>The weight given to <paramref name="kind"/> (0 when absent).</summary>
    public double Weight(OpKind kind) => _weights[(int)kind];

    /// <summary>The share of requests that are <paramref name="kind"/>, 0..1.</summary>
    public double Share(OpKind kind) => _weights[(int)kind] / _total;

    /// <summary>True when this mix uses <paramref name="kind"/>.</summary>
    public bool Has(OpKind kind) => _weights[(int)kind] > 0;

    /// <summary>The next request's kind.</summary>
    public OpKind Pick(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double dice = random.NextDouble() * _total;
        for (int i = 0; i < _weights.Length; i++)
        {
            dice -= _weights[i];
            if (dice < 0 && _weights[i] > 0) return (OpKind)i;
        }
        for (int i = _weights.Length - 1; ; i--)
            if (_weights[i] > 0) return (OpKind)i; // rounding left the dice at the very top
    }

    /// <summary>
    /// Parses "get=60,put=25,head=10,delete=5": operation=weight pairs, weights non-negative numbers, at least one
    /// positive; an operation named twice, an unknown one, or more deletes than puts beside other operations (the
    /// pool would run dry) is an error, described in <paramref name="error"/>.
    /// </summary>
    public static bool TryParse(string? text, out OpMix? mix, out string? error)
    {
        mix = null;
        error = null;
        var weights = new double[OpKinds.All.Count];
        var seen = new bool[weights.Length];
        foreach (string part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !OpKinds.TryParse(part[..eq], out var kind))
            {
                error = $"'{part}' is not operation=weight with an operation among get, put, head, delete, list, multipart";
                return false;
            }
            if (!double.TryParse(part[(eq + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double w)
                || !double.IsFinite(w) || w < 0)
            {
                error = $"'{part}': the weight is not a number ≥ 0";
                return false;
            }
            if (seen[(int)kind])
            {
                error = $"{kind.Name()} is given twice";
                return false;
            }
            seen[(int)kind] = true;
            weights[(int)kind] = w;
        }
        if (!(weights.Sum() > 0))
        {
            error = "no operation has a positive weight";
            return false;
        }
        // Deletes alone are the delete workload, which ends when its objects run out; beside other requests they would
        // starve them.
        if (weights[(int)OpKind.Delete] > weights[(int)OpKind.Put] && weights.Count(w => w > 0) > 1)
        {
            error = "delete outweighs put: the objects would run out (give put at least delete's weight)";
            return false;
        }
        mix = new OpMix(weights);
        return true;
    }

    /// <summary>"get=60,put=25,head=10,delete=5" (the kinds present, in <see cref="OpKind"/> order).</summary>
    public override string ToString() =>
        string.Join(",", Kinds.Select(k => k.Name() + "=" + _weights[(int)k].ToString("0.###", CultureInfo.InvariantCulture)));
}
