/** The HTML page's stylesheet, inlined: colours of the verdicts and chart marks live here, not in the markup. */
export const htmlStyle = `
:root {
  --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #ffffff; --page: #f6f8fa;
  --red: #cf222e; --red-soft: #ffebe9; --green: #1a7f37; --green-soft: #dafbe1; --blue: #0969da; --blue-soft: #ddf4ff;
  --amber: #9a6700; --amber-soft: #fff8c5; --purple: #8250df; --purple-soft: #fbefff; --grey: #6e7781; --grey-soft: #eaeef2;
  --baseline: #8c959f;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--text); font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; }
h3 { font-size: 15px; margin: 0; overflow-wrap: anywhere; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.meta { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.status { border-radius: 8px; padding: 14px 18px; margin: 16px 0; font-size: 16px; font-weight: 600; border: 1px solid; }
.status.fail { background: var(--red-soft); border-color: var(--red); color: #82071e; }
.status.pass { background: var(--green-soft); border-color: var(--green); color: #116329; }
.status .detail { display: block; font-weight: 400; font-size: 13.5px; margin-top: 2px; }
.status ul { margin: 8px 0 0; padding-left: 20px; font-weight: 400; font-size: 13.5px; }
.status li { margin: 2px 0; overflow-wrap: anywhere; }
.status li a { color: inherit; font-weight: 600; }
.counts { display: flex; flex-wrap: wrap; gap: 8px 22px; margin: 8px 0 4px; }
.counts .group { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.counts .group-name { color: var(--muted); font-size: 12.5px; margin-right: 2px; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.badge.tone-regressed, .badge.tone-fail, .badge.tone-missing { background: var(--red); color: #fff; }
.badge.tone-improved, .badge.tone-pass { background: var(--green-soft); color: var(--green); border-color: #aceebb; }
.badge.tone-unchanged { background: var(--blue-soft); color: var(--blue); border-color: #b6e3ff; }
.badge.tone-inconclusive { background: var(--amber-soft); color: var(--amber); border-color: #f5e0a0; }
.badge.tone-new { background: var(--purple-soft); color: var(--purple); border-color: #ecd8ff; }
table { border-collapse: collapse; width: 100%; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; margin: 6px 0 4px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--grey-soft); font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { overflow-wrap: anywhere; max-width: 380px; }
tr.failed td { background: #fff5f5; }
tr:last-child td { border-bottom: 0; }
.up { color: var(--red); font-weight: 600; }
.down { color: var(--green); font-weight: 600; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 10px; margin: 12px 0; }
.card.failed { border-color: var(--red); box-shadow: inset 4px 0 0 var(--red); }
.card header { display: flex; gap: 10px; align-items: baseline; }
.card .reason { margin: 8px 0 2px; }
.card .warnings { margin: 6px 0; padding-left: 18px; color: var(--amber); }
.charts { display: flex; flex-wrap: wrap; gap: 8px 16px; margin-top: 8px; align-items: flex-start; }
.chart { max-width: 100%; height: auto; display: block; }
.facts { display: flex; flex-wrap: wrap; gap: 2px 20px; margin: 6px 0 4px; font-size: 12.5px; color: var(--muted); }
.facts b { color: var(--text); font-weight: 600; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-style: italic; }
.error-message { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--red-soft); padding: 8px 10px; border-radius: 6px; font-size: 12px; margin: 6px 0 0; }
.chart text { font-family: inherit; fill: var(--text); }
.chart .tick-label, .chart .row-note, .chart .axis-title, .chart .legend-label { font-size: 11px; fill: var(--muted); }
.chart .row-label { font-size: 13px; font-weight: 600; }
.chart .statistic-label, .chart .budget-label { font-size: 12px; font-weight: 600; }
.chart .statistic-label, .chart .budget-label, .chart .change-label, .chart .row-note, .chart .zone-label, .chart .silence-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.chart .change-label { font-size: 15px; font-weight: 700; }
.chart .zone-label, .chart .silence-label { font-size: 11px; fill: var(--muted); }
.chart .axis-line, .chart .tick, .chart .row-base { stroke: #8c959f; stroke-width: 1; }
.chart .grid { stroke: #eaeef2; stroke-width: 1; }
.chart .zone { fill: var(--grey-soft); }
.chart .zero { stroke: #8c959f; stroke-width: 1; }
.chart .floor { stroke: var(--amber); stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .machine { stroke: var(--amber); stroke-width: 1.5; stroke-dasharray: 1 3; }
.chart .reference { stroke: var(--baseline); stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .statistic { stroke: var(--text); stroke-width: 2; }
.chart .bound { stroke: var(--text); stroke-width: 1; stroke-dasharray: 2 2; }
.chart .budget { stroke: var(--red); stroke-width: 2; stroke-dasharray: 6 3; }
.chart .budget-label { fill: var(--red); }
.chart .scheduled { stroke: var(--text); stroke-width: 1; stroke-dasharray: 5 4; }
.chart .silence { fill: var(--red-soft); }
.chart .silence-label { fill: var(--red); font-weight: 600; }
.tone-baseline { --tone: var(--baseline); }
.tone-regressed, .tone-fail, .tone-missing, .tone-failure { --tone: var(--red); }
.tone-improved, .tone-pass, .tone-ok { --tone: var(--green); }
.tone-unchanged { --tone: var(--blue); }
.tone-measured { --tone: var(--muted); }
.tone-inconclusive { --tone: var(--amber); }
.tone-new { --tone: var(--purple); }
.tone-p50 { --tone: var(--blue); }
.tone-p95 { --tone: #bc4c00; }
.tone-max { --tone: #afb8c1; }
.chart .bar { fill: var(--tone); fill-opacity: .75; }
.chart .statistic.tone-baseline, .chart .statistic.tone-regressed, .chart .statistic[class*="tone-"] { stroke: var(--tone); }
.chart .statistic-label[class*="tone-"], .chart .change-label { fill: var(--tone); }
.chart .interval, .chart .cap { stroke: var(--tone); stroke-width: 3; }
.chart .point { fill: var(--tone); stroke: #fff; stroke-width: 2; }
.chart .area.tone-ok { fill: var(--green); fill-opacity: .35; stroke: var(--green); stroke-width: 1; }
.chart .area.tone-failure { fill: var(--red); fill-opacity: .7; }
.chart .line { fill: none; stroke: var(--tone); stroke-width: 2; stroke-linejoin: round; }
.chart .dot { fill: var(--tone); }
.chart .key { fill: var(--tone); }
.chart .key.tone-ok { fill-opacity: .6; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
`
