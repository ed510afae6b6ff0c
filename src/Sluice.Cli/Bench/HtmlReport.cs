using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Bench;

/// <summary>
/// Writes a bench report as one self-contained HTML page (no network needed to view it): the configuration and
/// summary as tables, and per workload a throughput-over-time chart and a latency distribution drawn as SVG by an
/// inline script from the embedded JSON. When drawing finishes the script sets <c>data-charts-drawn</c> on the body
/// to the number of charts, which the headless-browser test checks.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Save(BenchReport report, string path) => File.WriteAllText(path, Render(report));

    /// <summary>The page as text.</summary>
    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = report.Config;
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>sluice bench — ")
            .Append(E(report.StartedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</title>\n<style>")
            .Append(Style).Append("</style></head>\n<body>\n<h1>sluice bench</h1>\n<p>")
            .Append(E($"Sluice {report.Version}, started {report.StartedAt:u}, {c.Machine}")).Append("</p>\n");

        html.Append("<h2>Configuration</h2>\n<table class=\"config\">");
        Row(html, "endpoint", c.EmbeddedServer ? $"{c.Endpoint} (embedded server, temporary directory)" : c.Endpoint);
        Row(html, "workloads", string.Join(", ", c.Workloads));
        Row(html, "sizes", string.Join(", ", c.Sizes.Select(Units.FormatSize)));
        Row(html, "objects", c.Objects > 0 ? c.Objects.ToString(CultureInfo.InvariantCulture) : "auto (500 small, up to 1 GiB of large)");
        Row(html, "concurrency", c.Concurrency > 0 ? c.Concurrency.ToString(CultureInfo.InvariantCulture) : "auto (32 small, 8 large)");
        if (c.Count is { } count) Row(html, "count", $"{count.ToString(CultureInfo.InvariantCulture)} operations per workload");
        Row(html, "duration", $"{c.DurationSeconds.ToString(CultureInfo.InvariantCulture)} s per workload");
        Row(html, "keys", c.Keys);
        Row(html, "client I/O", c.Io);
        html.Append("</table>\n");

        html.Append("<h2>Results</h2>\n<table class=\"results\"><tr>");
        foreach (string h in SummaryColumns) html.Append("<th>").Append(E(h)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var r in report.Results)
        {
            html.Append("<tr>");
            foreach (string cell in SummaryCells(r)) html.Append("<td>").Append(E(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");

        for (int i = 0; i < report.Results.Count; i++)
        {
            html.Append("<section class=\"workload\"><h2>").Append(E(report.Results[i].Name)).Append("</h2>\n")
                .Append("<figure><figcaption>Throughput over time (operations/s)</figcaption><div class=\"chart\" id=\"tp-")
                .Append(i).Append("\"></div></figure>\n")
                .Append("<figure><figcaption>Latency distribution (requests per bucket, ms, log scale)</figcaption><div class=\"chart\" id=\"lat-")
                .Append(i).Append("\"></div></figure></section>\n");
        }

        // The default encoder escapes '<', '>' and '&', so the JSON cannot end the script element early.
        html.Append("<script type=\"application/json\" id=\"report-data\">")
            .Append(JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport))
            .Append("</script>\n<script>").Append(Script).Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>Column titles of the summary table (shared with the terminal table).</summary>
    public static readonly IReadOnlyList<string> SummaryColumns =
    [
        "workload", "ops/s", "GiB/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors",
        "client CPU s/GiB", "client CPU ms/op", "client peak RSS", "syscalls/req", "server CPU ms/op", "server peak RSS",
    ];

    /// <summary>One summary row, formatted.</summary>
    public static IReadOnlyList<string> SummaryCells(WorkloadResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return
        [
            r.Name, F(r.OpsPerSecond, 0), F(r.GiBPerSecond, 3), F(r.Latency.P50, 2), F(r.Latency.P90, 2), F(r.Latency.P99, 2),
            F(r.Latency.Max, 1), r.Errors.Count == 0 ? "0" : string.Join(" ", r.Errors.Select(e => $"{e.Key}:{e.Value}")),
            r.ClientCpuSecondsPerGiB is { } g ? F(g, 2) : "-", F(r.ClientCpuMsPerOp, 3), Units.FormatSize(r.ClientPeakRssBytes),
            r.SyscallsPerRequest is { } s ? F(s, 2) : "-", r.ServerCpuMsPerOp is { } m ? F(m, 3) : "-",
            r.ServerPeakRssBytes is { } p ? Units.FormatSize(p) : "-",
        ];
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse;margin:.5em 0 1.5em}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
        table.config th,table.config td{text-align:left}
        figure{display:inline-block;margin:0 2em 1em 0}
        figcaption{font-weight:600;margin-bottom:4px}
        .chart svg{background:#fafafa;border:1px solid #ddd}
        .axis{stroke:#888;stroke-width:1}
        .series{fill:none;stroke:#1f6feb;stroke-width:2}
        .bar{fill:#2da44e}
        text{font-size:11px;fill:#555}
        """;

    // Draws every chart from the embedded JSON; plain DOM and SVG, no library, so the page works offline.
    private const string Script = """
        (function () {
          const report = JSON.parse(document.getElementById('report-data').textContent);
          const NS = 'http://www.w3.org/2000/svg', W = 520, H = 220, L = 56, B = 30, T = 10, R = 12;
          function el(tag, attrs, parent) {
            const e = document.createElementNS(NS, tag);
            for (const k in attrs) e.setAttribute(k, attrs[k]);
            if (parent) parent.appendChild(e);
            return e;
          }
          function frame(id) {
            const svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
            document.getElementById(id).appendChild(svg);
            el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }, svg);
            el('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }, svg);
            return svg;
          }
          function label(svg, x, y, text, anchor) {
            const t = el('text', { x: x, y: y, 'text-anchor': anchor || 'middle' }, svg);
            t.textContent = text;
          }
          function fmt(v) { return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3); }
          let drawn = 0;
          report.results.forEach(function (r, i) {
            // Throughput over time: one point per second.
            const tp = frame('tp-' + i), pts = r.timeline;
            const maxOps = Math.max(1, ...pts.map(p => p.operations)), n = Math.max(1, pts.length);
            const xs = s => L + (W - L - R) * s / n, ys = v => H - B - (H - B - T) * v / maxOps;
            el('polyline', { class: 'series', points: pts.map(p => xs(p.second) + ',' + ys(p.operations)).join(' ') }, tp);
            label(tp, L - 4, T + 8, fmt(maxOps), 'end'); label(tp, L - 4, H - B, '0', 'end');
            label(tp, W - R, H - 8, n + ' s', 'end'); label(tp, (L + W) / 2, H - 8, 'time (s)');
            drawn++;
            // Latency distribution: bars over log10(ms).
            const lat = frame('lat-' + i), buckets = r.latencies.filter(b => b.count > 0);
            if (buckets.length > 0) {
              const lo = Math.log10(Math.max(0.001, buckets[0].upToMs)), hi = Math.log10(Math.max(0.001, buckets[buckets.length - 1].upToMs));
              const span = Math.max(0.1, hi - lo), maxCount = Math.max(...buckets.map(b => b.count));
              const bw = Math.max(2, (W - L - R) / Math.max(buckets.length, 1) * 0.8);
              buckets.forEach(function (b) {
                const x = L + (W - L - R - bw) * (Math.log10(Math.max(0.001, b.upToMs)) - lo) / span;
                const h = (H - B - T) * b.count / maxCount;
                el('rect', { class: 'bar', x: x, y: H - B - h, width: bw, height: h }, lat);
              });
              label(lat, L, H - 8, fmt(buckets[0].upToMs) + ' ms', 'start');
              label(lat, W - R, H - 8, fmt(buckets[buckets.length - 1].upToMs) + ' ms', 'end');
              label(lat, L - 4, T + 8, String(maxCount), 'end');
            }
            drawn++;
          });
          document.body.setAttribute('data-charts-drawn', String(drawn));
        })();
        """;
}
