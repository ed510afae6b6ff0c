using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Bench;

/// <summary>
/// Writes a bench report as one self-contained HTML page (no network needed to view it): the configuration and
/// summary as tables, and per workload a throughput-over-time chart (MiB/s for large objects, requests/s for small;
/// the warm-up shaded, a last partial second hatched) and a latency distribution with its percentiles marked,
/// drawn as SVG with real axes by an inline script from the embedded JSON; a mixed workload gets its requests split
/// by operation and one latency chart per operation. When drawing finishes the script sets
/// <c>data-charts-drawn</c> on the body to the number of charts, which the headless-browser test checks.
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
        if (c.Agents is { Count: > 0 } agents) Row(html, "agents", $"{string.Join(", ", agents)} (figures merged)");
        Row(html, "workloads", string.Join(", ", c.Workloads));
        if (c.Mix is { } mix) Row(html, "mix", mix);
        Row(html, "sizes", string.Join(", ", c.SizeSpecs ?? [.. c.Sizes.Select(Units.FormatSize)]));
        Row(html, "objects", c.Objects > 0 ? c.Objects.ToString(CultureInfo.InvariantCulture) : "auto (500 small, up to 1 GiB of large)");
        Row(html, "concurrency", (c.Concurrency > 0 ? c.Concurrency.ToString(CultureInfo.InvariantCulture) : "auto (32 small, 8 large)")
            + (c.Agents is { Count: > 0 } ? " per agent" : ""));
        if (c.Count is { } count) Row(html, "count", $"{count.ToString(CultureInfo.InvariantCulture)} operations per workload");
        Row(html, "duration", $"{c.DurationSeconds.ToString(CultureInfo.InvariantCulture)} s per workload{(c.AutoTerm ? ", or less with --autoterm" : "")}");
        Row(html, "warm-up", $"{c.WarmupSeconds.ToString(CultureInfo.InvariantCulture)} s per workload, not counted");
        Row(html, "keys", c.Keys);
        Row(html, "client I/O", c.Io);
        html.Append("</table>\n");

        html.Append("<h2>Results</h2>\n<table class=\"results\"><tr>");
        foreach (string h in SummaryTable.WideColumns) html.Append("<th>").Append(E(h)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var row in SummaryTable.Rows(report.Results, wide: true))
        {
            html.Append(row[0].StartsWith(' ') ? "<tr class=\"op\">" : "<tr>");
            foreach (string cell in row) html.Append("<td>").Append(E(cell.Trim())).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</table>\n<p class=\"legend\">").Append(E(SummaryTable.Legend.Replace("; --wide adds CPU, memory and system calls", "", StringComparison.Ordinal)))
            .Append("</p>\n");

        // Each workload's charts are filled in by the script; it numbers them so the test can count them.
        for (int i = 0; i < report.Results.Count; i++)
        {
            html.Append("<section class=\"workload\" id=\"w-").Append(i).Append("\"><h2>").Append(E(report.Results[i].Name)).Append("</h2></section>\n");
        }

        // The default encoder escapes '<', '>' and '&', so the JSON cannot end the script element early.
        html.Append("<script type=\"application/json\" id=\"report-data\">")
            .Append(JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport))
            .Append("</script>\n<script>").Append(Script).Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse;margin:.5em 0 1em}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
        td:first-child{text-align:left;white-space:nowrap}
        tr.op td{color:#555;background:#f6f8fa}
        tr.op td:first-child{padding-left:1.6em}
        table.config th,table.config td{text-align:left}
        p.legend{white-space:pre-line;color:#555;font-size:12px;margin:0 0 1.5em}
        figure{display:inline-block;margin:0 1.5em 1em 0;vertical-align:top}
        figcaption{font-weight:600;margin-bottom:4px}
        svg.chart{background:#fff;border:1px solid #ddd}
        .grid{stroke:#e4e4e4;stroke-width:1}
        .axis{stroke:#666;stroke-width:1}
        .tick{stroke:#666;stroke-width:1}
        .series{fill:none;stroke-width:2}
        .bar{fill:#2da44e;fill-opacity:.85}
        .warmup{fill:#bf8700;fill-opacity:.12}
        .partial{fill:url(#hatch)}
        .marker{stroke-width:1.5;stroke-dasharray:4 3}
        text{font-size:11px;fill:#444}
        text.title{font-size:12px;fill:#222}
        text.note{font-size:11px;fill:#8a6d00}
        text.mark{paint-order:stroke;stroke:#fff;stroke-width:3px}
        """;

    // Draws every chart from the embedded JSON: plain DOM and SVG, no library, so the page works offline. Axes get
    // "nice" ticks (1, 2, 2.5 or 5 times a power of ten) with gridlines and units; the latency axis is logarithmic.
    private const string Script = """
        (function () {
          const report = JSON.parse(document.getElementById('report-data').textContent);
          const NS = 'http://www.w3.org/2000/svg', W = 640, H = 280, L = 70, R = 20, T = 26, B = 46;
          const COLORS = ['#1f6feb', '#d1242f', '#2da44e', '#bf8700', '#8250df', '#0a7f8c', '#57606a'];
          const MARKS = [['p50', 'p50', '#1f6feb'], ['p90', 'p90', '#8250df'], ['p99', 'p99', '#d1242f'], ['p999', 'p99.9', '#bf8700']];
          let drawn = 0;
          function el(tag, attrs, parent, text) {
            const e = document.createElementNS(NS, tag);
            for (const k in attrs) e.setAttribute(k, attrs[k]);
            if (text !== undefined) e.textContent = text;
            if (parent) parent.appendChild(e);
            return e;
          }
          function fmt(v) {
            const a = Math.abs(v);
            if (a === 0) return '0';
            if (a >= 1e6) return +(v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
            if (a >= 1e4) return +(v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
            if (a >= 100) return v.toFixed(0);
            if (a >= 1) return String(+v.toFixed(2));
            return String(+v.toPrecision(2));
          }
          // A tick step of 1, 2, 2.5 or 5 times a power of ten giving about five ticks over 0..max; max rounded up to it.
          // Counts (whole) get a step of at least 1.
          function nice(max, whole) {
            if (!(max > 0)) max = 1;
            const raw = max / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
            const step = Math.max(whole ? 1 : 0, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag);
            const ticks = [];
            for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(v);
            if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
            return ticks;
          }
          function figure(section, caption) {
            const f = section.appendChild(document.createElement('figure'));
            f.appendChild(document.createElement('figcaption')).textContent = caption;
            const svg = el('svg', { class: 'chart', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H }, f);
            const defs = el('defs', {}, svg);
            const hatch = el('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, defs);
            el('rect', { width: 6, height: 6, fill: '#f0f0f0' }, hatch);
            el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#bbb', 'stroke-width': 2 }, hatch);
            return svg;
          }
          // Gridlines, ticks and labels for both axes, the axis lines and their titles (with units).
          function axes(svg, xTicks, yTicks, xs, ys, xTitle, yTitle) {
            xTicks.forEach(function (t) {
              const x = xs(t.v);
              el('line', { class: 'grid', x1: x, y1: T, x2: x, y2: H - B }, svg);
              el('line', { class: 'tick', x1: x, y1: H - B, x2: x, y2: H - B + 5 }, svg);
              el('text', { x: x, y: H - B + 17, 'text-anchor': 'middle' }, svg, t.label);
            });
            yTicks.forEach(function (t) {
              const y = ys(t.v);
              el('line', { class: 'grid', x1: L, y1: y, x2: W - R, y2: y }, svg);
              el('line', { class: 'tick', x1: L - 5, y1: y, x2: L, y2: y }, svg);
              el('text', { x: L - 8, y: y + 4, 'text-anchor': 'end' }, svg, t.label);
            });
            el('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }, svg);
            el('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }, svg);
            el('text', { class: 'title', x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle' }, svg, xTitle);
            el('text', { class: 'title', x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')' }, svg, yTitle);
          }
          function legend(svg, names) {
            let x = L + 4;
            names.forEach(function (name, i) {
              el('line', { x1: x, y1: 12, x2: x + 16, y2: 12, stroke: COLORS[i % COLORS.length], 'stroke-width': 3 }, svg);
              el('text', { x: x + 20, y: 16 }, svg, name);
              x += 28 + name.length * 6.5;
            });
          }
          // Per-second throughput: one point per second at its middle, the warm-up shaded, the last second hatched
          // when the run ended inside it (its count covers only part of a second).
          function throughput(section, r, series, unit, value, caption) {
            const svg = figure(section, caption);
            const span = r.warmupSeconds + r.seconds;
            const slots = Math.max(1, ...series.map(s => s.timeline.length));
            const xMax = Math.max(slots, Math.ceil(span));
            const xt = nice(xMax).filter(v => v <= xMax + 1e-9), yt = nice(Math.max(0, ...series.flatMap(s => s.timeline.map(value))));
            const xs = v => L + (W - L - R) * v / xMax, ys = v => H - B - (H - B - T) * v / yt[yt.length - 1];
            if (r.warmupSeconds > 0) {
              el('rect', { class: 'warmup', x: xs(0), y: T, width: xs(Math.min(r.warmupSeconds, xMax)) - xs(0), height: H - B - T }, svg);
              el('text', { class: 'note', x: xs(0) + 4, y: T + 12 }, svg, 'warm-up');
            }
            // Seconds from the one the run ended in (or, ended on a whole second, the next) hold part of a second:
            // the end, and requests that were in flight then finishing.
            const partial = Math.floor(span + 1e-9);
            if (partial < xMax) {
              el('rect', { class: 'partial', x: xs(partial), y: T, width: xs(xMax) - xs(partial), height: H - B - T }, svg);
              el('text', { class: 'note', x: xs(xMax) - 4, y: T + 12, 'text-anchor': 'end' }, svg, 'partial');
            }
            axes(svg, xt.map(v => ({ v: v, label: fmt(v) })), yt.map(v => ({ v: v, label: fmt(v) })), xs, ys, 'time since start (s)', unit);
            series.forEach(function (s, i) {
              const color = COLORS[i % COLORS.length];
              const pts = s.timeline.map(p => ({ x: xs(p.second - 0.5), y: ys(value(p)), partial: p.second - 1 >= partial }));
              const whole = pts.filter(p => !p.partial);
              el('polyline', { class: 'series', stroke: color, points: whole.map(p => p.x + ',' + p.y).join(' ') }, svg);
              let prev = whole[whole.length - 1];
              pts.filter(p => p.partial).forEach(function (p) {
                if (prev) el('line', { x1: prev.x, y1: prev.y, x2: p.x, y2: p.y, stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '3 3' }, svg);
                el('circle', { cx: p.x, cy: p.y, r: 3.5, fill: '#fff', stroke: color, 'stroke-width': 1.5 }, svg);
                prev = p;
              });
            });
            if (series.length > 1) legend(svg, series.map(s => s.name));
            drawn++;
          }
          // Latency distribution on a logarithmic axis, re-binned into equal log-width bins, with percentile markers.
          function latency(section, buckets, summary, caption) {
            const svg = figure(section, caption);
            const used = buckets.filter(b => b.count > 0 && b.upToMs > 0);
            if (used.length === 0) {
              el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, svg, 'no requests');
              drawn++;
              return;
            }
            let lo = Math.floor(Math.log10(used[0].upToMs) * 4) / 4, hi = Math.ceil(Math.log10(Math.max(used[used.length - 1].upToMs, summary.max)) * 4) / 4;
            if (hi - lo < 1) { lo -= 0.5; hi += 0.5; }
            const bins = 60, counts = new Array(bins).fill(0), width = (hi - lo) / bins;
            used.forEach(function (b) { counts[Math.min(bins - 1, Math.max(0, Math.floor((Math.log10(b.upToMs) - lo) / width)))] += b.count; });
            const yt = nice(Math.max(...counts), true);
            const xs = v => L + (W - L - R) * (v - lo) / (hi - lo), ys = v => H - B - (H - B - T) * v / yt[yt.length - 1];
            const xt = [];
            for (let d = Math.floor(lo); d <= Math.floor(hi); d++) {
              [1, 2, 5].forEach(function (m) {
                const v = Math.log10(m) + d;
                if (v >= lo - 1e-9 && v <= hi + 1e-9 && (m === 1 || hi - lo < 3)) xt.push({ v: v, label: fmt(m * Math.pow(10, d)) });
              });
            }
            axes(svg, xt, yt.map(v => ({ v: v, label: fmt(v) })), xs, ys, 'latency (ms, log scale)', 'requests');
            counts.forEach(function (c, i) {
              if (c === 0) return;
              const x = xs(lo + i * width), h = H - B - ys(c);
              el('rect', { class: 'bar', x: x + 0.5, y: H - B - h, width: Math.max(1, xs(lo + (i + 1) * width) - x - 1), height: h }, svg);
            });
            MARKS.forEach(function (m, i) {
              const v = summary[m[0]];
              if (!(v > 0)) return;
              const x = xs(Math.log10(v));
              el('line', { class: 'marker', stroke: m[2], x1: x, y1: T, x2: x, y2: H - B }, svg);
              const right = x > W - R - 110;
              el('text', { class: 'mark', x: right ? x - 4 : x + 4, y: T + 12 + i * 13, fill: m[2], 'text-anchor': right ? 'end' : 'start' }, svg, m[1] + ' ' + fmt(v) + ' ms');
            });
            drawn++;
          }
          report.results.forEach(function (r, i) {
            const section = document.getElementById('w-' + i);
            const large = r.isLarge, unit = large ? 'MiB/s' : 'requests/s';
            const value = large ? (p => p.bytes / 1048576) : (p => p.operations);
            if (r.byOperation) {
              throughput(section, r, [{ name: 'all', timeline: r.timeline }].concat(r.byOperation.map(o => ({ name: o.operation, timeline: o.timeline }))),
                'requests/s', p => p.operations, 'Requests per second, by operation');
              if (large) throughput(section, r, [{ name: 'all', timeline: r.timeline }], 'MiB/s', value, 'Throughput (MiB/s)');
              r.byOperation.forEach(o => latency(section, o.latencies, o.latency, 'Latency of ' + o.operation + ' (' + o.operations + ' requests)'));
            } else {
              throughput(section, r, [{ name: r.name, timeline: r.timeline }], unit, value, 'Throughput (' + unit + ')');
              latency(section, r.latencies, r.latency, 'Latency distribution (' + r.operations + ' requests)');
            }
          });
          document.body.setAttribute('data-charts-drawn', String(drawn));
        })();
        """;
}
