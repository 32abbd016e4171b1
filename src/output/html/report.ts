import type { Baseline } from '../../baseline/store.js';
import { COST_MEASUREMENT, formatNs } from '../../bpfstats/cost.js';
import type { RunRecord } from '../../results/record.js';
import { measuresThroughput, type Scenario } from '../../scenario/types.js';
import { formatRate } from '../../rate.js';
import { color, esc, lineChart, type Band, type Series } from './svg.js';
import { topologySvg } from './topology-svg.js';
import { abSection } from '../ab-html.js';
import type { AbRecord } from '../../session/ab/record.js';
import { behaviourCharts } from './behaviour-svg.js';

export interface ReportInput {
  records: RunRecord[];
  corrupt: { file: string; why: string }[];
  baselines: Baseline[];
  scenarios: Scenario[];
  generatedAt: string;
  /** zonlab ab's records (results/ab/), drawn as ratios B/A with their intervals. */
  abs?: AbRecord[];
}

const GBIT = 1e9;
const fmt = (bps: number | undefined) => formatRate(bps, '–');

/** One self-contained page: inline CSS and SVG, no script, nothing fetched. */
export function renderReport(input: ReportInput): string {
  const byKey = new Map<string, RunRecord[]>();
  for (const r of [...input.records].sort((a, b) => a.time.localeCompare(b.time))) {
    const k = `${r.scenario.name}\u0000${r.driver.name}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const names = [
    ...new Set([...input.records.map((r) => r.scenario.name), ...input.scenarios.map((s) => s.name)]),
  ].sort();
  const sections = names.map((name) => {
    const scenario = input.scenarios.find((s) => s.name === name);
    const drivers = [...byKey.keys()].filter((k) => k.startsWith(`${name}\u0000`)).map((k) => k.split('\u0000')[1]!);
    const charts = drivers.map((driver) =>
      driverSection(
        name,
        driver,
        byKey.get(`${name}\u0000${driver}`)!,
        input.baselines.find((b) => b.scenario === name && b.driver === driver),
      ),
    );
    return `<section id="${esc(name)}"><h2>${esc(name)}</h2>${scenario ? `<p class="desc">${esc(scenario.description)}</p>` : ''}
${charts.join('\n') || '<p class="none">no recorded run yet</p>'}
${scenario ? `<h3>Topology</h3><div class="topo">${topologySvg(scenario, ranDriver(input.records, name) ?? scenario.lb.driver)}</div>` : ''}</section>`;
  });
  const latest = [...byKey.values()].map((rs) => rs[rs.length - 1]!).sort((a, b) => b.time.localeCompare(a.time));
  const table = `<table><thead><tr><th>time (UTC)</th><th>scenario</th><th>driver</th><th>status</th><th>throughput</th><th>run</th></tr></thead><tbody>${latest
    .map(
      (r) =>
        `<tr class="${r.status === 'passed' ? 'pass' : 'fail'}"><td>${esc(r.time.replace('T', ' ').slice(0, 19))}</td><td><a href="#${esc(r.scenario.name)}">${esc(r.scenario.name)}</a></td><td>${esc(r.driver.name)}</td><td>${esc(r.status)}</td><td>${
          Object.entries(r.measurements ?? {})
            .filter(([, m]) => m.bits_per_second !== undefined)
            .map(
              ([c, m]) =>
                `${esc(c)} ${fmt(m.bits_per_second)}${m[COST_MEASUREMENT] !== undefined ? ` · LB ${formatNs(m[COST_MEASUREMENT])}/packet` : ''}`,
            )
            .join('<br>') || '–'
        }</td><td>${esc(r.id)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zonlab report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:36px}
.meta{color:#666}.desc{color:#444;margin-top:-6px}.none{color:#888}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
tr.fail td:nth-child(4){color:#c00;font-weight:600}tr.pass td:nth-child(4){color:#080}
.chart{background:#fff;border:1px solid #eee;border-radius:6px;margin:8px 0}
.chart-title{font-weight:600;font-size:13px}.tick,.legend,.axis-label{font-size:11px;fill:#555}
.grid{stroke:#eee}.axis{stroke:#999}
.topology .netns rect{fill:#f7f9fc;stroke:#7a8ca8}.topology .netns.default rect{fill:#fff8e6;stroke:#c9a227}
.netns-title{font-weight:600;font-size:13px}.netns-line{font:12px ui-monospace,monospace;fill:#333}
.link{stroke:#555;stroke-width:2}.link-label{font:11px ui-monospace,monospace;fill:#555}
.lb-marker rect{fill:#c9a227}.lb-marker text{font-size:11px;fill:#fff;font-weight:600}.xdp-label{font-size:10px;fill:#2c7}
.corrupt{color:#a40}.topo{overflow-x:auto}
</style></head><body>
<h1>zonlab report</h1>
<p class="meta">generated ${esc(input.generatedAt)} · ${input.records.length} run(s) · ${names.length} scenario(s)</p>
${input.corrupt.length ? `<div class="corrupt"><p>Skipped ${input.corrupt.length} record file(s) that could not be read:</p><ul>${input.corrupt.map((c) => `<li><code>${esc(c.file)}</code>: ${esc(c.why)}</li>`).join('')}</ul></div>` : ''}
<h2>Latest runs</h2>${table}
${abSection(input.abs ?? [])}
${sections.join('\n')}
</body></html>
`;
}

/** The driver of the scenario's latest run: the one that ran, where the scenario may say "auto". */
function ranDriver(records: RunRecord[], scenario: string): string | undefined {
  return records
    .filter((r) => r.scenario.name === scenario)
    .sort((a, b) => a.time.localeCompare(b.time))
    .pop()?.driver.name;
}

function driverSection(scenario: string, driver: string, runs: RunRecord[], baseline: Baseline | undefined): string {
  const checks = [
    ...new Set(runs.flatMap((r) => Object.keys(r.samples ?? {}).filter((c) => r.samples[c]?.bits_per_second))),
  ].sort();
  const failedChecks = new Set(
    runs.flatMap((r) => (r.checks ?? []).filter((c) => measuresThroughput(c.kind)).map((c) => c.name)),
  );
  for (const c of failedChecks) if (!checks.includes(c)) checks.push(c);
  // spread bars, hold timelines and latency (issue 23), where the runs have them
  const behaviour = behaviourCharts(runs);
  if (!checks.length)
    return `<h3>${esc(driver)}</h3>${behaviour || `<p class="none">no throughput measured (${runs.length} run(s))</p>`}`;
  const over = perRunChart(runs, checks, baseline, {
    measurement: 'bits_per_second',
    title: `${scenario} · ${driver}: throughput per run (median, 95% interval)`,
    unit: 'Gbit/s',
    scale: GBIT,
    fmt,
  });
  const costed = checks.filter((c) => runs.some((r) => r.stats?.[c]?.[COST_MEASUREMENT]));
  const cost = costed.length
    ? perRunChart(
        runs.filter((r) => r.status !== 'passed' || costed.some((c) => r.stats?.[c]?.[COST_MEASUREMENT])),
        costed,
        baseline,
        {
          measurement: COST_MEASUREMENT,
          title: `${scenario} · ${driver}: the load balancer's XDP cost per packet (median ns, 95% interval; lower is better)`,
          unit: 'ns/packet',
          scale: 1,
          fmt: formatNs,
        },
      )
    : '';
  const last = runs[runs.length - 1]!;
  const intervalCharts = (last.checks ?? [])
    .filter((c) => c.kind === 'iperf3' && c.status === 'passed' && (c.repetition ?? 1) === (last.repeat?.count ?? 1))
    .map((c, i) => {
      const ivs =
        (
          c.evidence?.result as {
            intervals?: { start: number; end: number; bitsPerSecond: number; omitted: boolean }[];
          }
        )?.intervals ?? [];
      if (!ivs.length) return '';
      return lineChart({
        title: `latest run, ${c.name}: iperf3 intervals`,
        series: [
          {
            name: `${c.name} (omitted intervals in grey)`,
            color: color(i),
            points: ivs.map((iv, x) => ({
              x,
              y: iv.bitsPerSecond,
              faded: iv.omitted,
              label: `${iv.start.toFixed(1)}–${iv.end.toFixed(1)} s${iv.omitted ? ' (omitted)' : ''}`,
            })),
          },
        ],
        xLabels: ivs.map((iv) => `${iv.start.toFixed(0)}–${iv.end.toFixed(0)} s${iv.omitted ? ' (omitted)' : ''}`),
        yUnit: 'Gbit/s',
        yScale: GBIT,
        width: 540,
        height: 220,
      });
    });
  return `<h3>${esc(driver)}</h3>${over}${cost}${intervalCharts.join('')}${behaviour}`;
}

/** One measurement of each check, per run: the median with its interval, failed runs marked, the baseline as a band. */
function perRunChart(
  runs: RunRecord[],
  checks: string[],
  baseline: Baseline | undefined,
  o: { measurement: string; title: string; unit: string; scale: number; fmt: (v: number | undefined) => string },
): string {
  const series: Series[] = checks.map((check, i) => ({
    name: check,
    color: color(i),
    points: runs.map((r, x) => {
      const st = r.stats?.[check]?.[o.measurement];
      const failed = r.status !== 'passed' || !st;
      return {
        x,
        y: st?.median ?? NaN,
        low: st && st.n > 1 ? st.ci.low : undefined,
        high: st && st.n > 1 ? st.ci.high : undefined,
        failed,
        label: `${r.time.slice(0, 19)} ${r.status} ${o.fmt(st?.median)}${st ? ` (n=${st.n})` : ''}`,
      };
    }),
  }));
  const bands: Band[] = baseline
    ? checks
        .filter((c) => baseline.stats[c]?.[o.measurement])
        .map((c) => {
          const b = baseline.stats[c]![o.measurement]!;
          return {
            name: `baseline ${c}`,
            color: color(checks.indexOf(c)),
            low: b.ci.low,
            high: b.ci.high,
            mid: b.median,
          };
        })
    : [];
  // spaced by when each run happened
  return lineChart({
    title: o.title,
    series,
    bands,
    xLabels: runs.map((r) => r.time.slice(5, 16).replace('T', ' ')),
    xValues: runs.map((r) => Date.parse(r.time)),
    yUnit: o.unit,
    yScale: o.scale,
  });
}
